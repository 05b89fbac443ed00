# Unit tests for issue 3's dataset work; included from tests/vmm/CMakeLists.txt.
# Datasets without copies (no KVM needed): the synthesized EROFS image checked with erofs-utils
# (fsck.erofs and its --extract) and with the kernel's own lookup algorithm, files that change
# or cannot be read, nothing written on the host, and the SHA-256 manifest.
set(_airlock_dataset_tests tst_erofs_image tst_dataset_lookup tst_dataset_changes
    tst_dataset_manifest)
foreach(_test IN LISTS _airlock_dataset_tests)
    airlock_add_test(${_test} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${_test}.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tst_dataset_support.h LIBRARIES vmm_dataset
        ENVIRONMENT QTEST_FUNCTION_TIMEOUT=600000)
endforeach()
set_target_properties(${_airlock_dataset_tests}
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
# The 100,000-file cases create, extract and remove their trees: give them time on a busy machine
# (QTEST_FUNCTION_TIMEOUT above lifts Qt Test's own 5-minute limit per function).
set_tests_properties(tst_erofs_image tst_dataset_lookup PROPERTIES TIMEOUT 600)
