# Unit tests for issue 3's scratch work; included from tests/vmm/CMakeLists.txt.
