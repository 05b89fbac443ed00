# Unit tests for issue 3's protocol work; included from tests/vmm/CMakeLists.txt.
