# Unit tests for issue 5's virtio-input keyboard and tablet; included from tests/vmm/CMakeLists.txt.
# No KVM needed: the guest is tests/support/VirtqueueDriver.h playing Linux's virtio_input driver.

airlock_add_test(tst_virtio_input SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtio_input.cpp
    LIBRARIES vmm_virtio_input vmm_display)
airlock_add_test(tst_virtio_input_limits
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtio_input_limits.cpp
    LIBRARIES vmm_virtio_input vmm_display)

# moc 6.4 needs Qt's global header before libstdc++'s <compare> (see EngineBootTests.cmake).
set_target_properties(tst_virtio_input tst_virtio_input_limits
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
