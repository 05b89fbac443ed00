# Unit tests for virtio-vsock (issue 3); included from tests/vmm/CMakeLists.txt.
