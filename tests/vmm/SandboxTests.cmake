# Unit tests for issue 3's sandbox work; included from tests/vmm/CMakeLists.txt.
