# Unit tests for virtio-vsock (issue 3); included from tests/vmm/CMakeLists.txt. No KVM needed:
# the guest is tst_virtio_vsock_guest.h (on tests/support/VirtqueueDriver.h) playing Linux's
# virtio_transport, the host programs are Unix sockets the tests hold.

airlock_add_test(tst_virtio_vsock SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtio_vsock.cpp
    LIBRARIES vmm_virtio_vsock)
airlock_add_test(tst_virtio_vsock_limits SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtio_vsock_limits.cpp
    LIBRARIES vmm_virtio_vsock)
airlock_add_test(tst_virtio_vsock_stream SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_virtio_vsock_stream.cpp
    LIBRARIES vmm_virtio_vsock OpenSSL::Crypto)
set(_airlock_vsock_tests tst_virtio_vsock tst_virtio_vsock_limits tst_virtio_vsock_stream)

# moc 6.4 needs Qt's global header before libstdc++'s <compare> (see EngineBootTests.cmake).
set_target_properties(${_airlock_vsock_tests}
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
