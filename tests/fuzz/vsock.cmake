# The virtio-vsock packet fuzzer (issue 3), included from tests/fuzz/CMakeLists.txt after
# airlock_add_fuzzer() is defined. Its fake guest (tst_virtio_vsock_guest.h) lives with the unit
# tests in tests/vmm and is Qt-free.
if(TARGET vmm_virtio_vsock)
    airlock_add_fuzzer(fuzz_vsock_packet LIBRARIES vmm_virtio_vsock)
    target_include_directories(fuzz_vsock_packet PRIVATE ${PROJECT_SOURCE_DIR}/tests/vmm)
endif()
