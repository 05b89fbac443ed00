# Unit tests for issue 3's scratch work; included from tests/vmm/CMakeLists.txt.
# The scratch disk's key memory, the encrypted scratch backend, shred reports and the
# supervisor's clean-up of a session whose airlock-vmm was killed.
airlock_add_test(tst_secure_buffer SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_secure_buffer.cpp
    LIBRARIES vmm_scratch)
airlock_add_test(tst_encrypted_scratch SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_encrypted_scratch.cpp
    LIBRARIES vmm_scratch)
airlock_add_test(tst_scratch_shred SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_scratch_shred.cpp
    LIBRARIES vmm_scratch)
set_target_properties(tst_secure_buffer tst_encrypted_scratch tst_scratch_shred
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
