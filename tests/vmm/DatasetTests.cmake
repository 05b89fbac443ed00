# Unit tests for issue 3's dataset work; included from tests/vmm/CMakeLists.txt.
