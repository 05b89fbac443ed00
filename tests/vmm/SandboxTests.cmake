# Unit tests for issue 3's sandbox work; included from tests/vmm/CMakeLists.txt.
# airlock-vmm's self-protection: seccomp per thread kind, fds, core dumps, no_new_privs, Landlock.
airlock_add_test(tst_sandbox SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sandbox.cpp LIBRARIES vmm_sandbox)
set_target_properties(tst_sandbox
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
