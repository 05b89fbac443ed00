# Unit tests for issue 3's virtio work; included from tests/vmm/CMakeLists.txt.
