# Unit tests for issue 3's virtio work; included from tests/vmm/CMakeLists.txt. No KVM needed:
# the guest is tests/support/VirtqueueDriver.h playing Linux's virtio_mmio driver in plain memory.

airlock_add_test(tst_virtqueue SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtqueue.cpp
    LIBRARIES vmm_virtio)
airlock_add_test(tst_virtio_mmio SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtio_mmio.cpp
    LIBRARIES vmm_virtio)
airlock_add_test(tst_virtio_block SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtio_block.cpp
    LIBRARIES vmm_virtio)
airlock_add_test(tst_virtio_rng SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtio_rng.cpp
    LIBRARIES vmm_virtio)
airlock_add_test(tst_file_backend SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_file_backend.cpp
    LIBRARIES vmm_block)

# moc 6.4 needs Qt's global header before libstdc++'s <compare> (see EngineBootTests.cmake).
set_target_properties(tst_virtqueue tst_virtio_mmio tst_virtio_block tst_virtio_rng tst_file_backend
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
