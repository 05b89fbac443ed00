# Tests of the audit trail (app/audit): the store, tampering, migration, a kill -9 in the middle of
# writes, files that are not audit trails, and the exports.

# Appends events and acknowledges each on stdout, for tst_audit_crash to kill -9 mid-way.
add_executable(audit_writer ${CMAKE_CURRENT_LIST_DIR}/audit_writer_main.cpp)
target_link_libraries(audit_writer PRIVATE app_audit airlock_warnings airlock_hardening)

foreach(area store tamper migration open export)
    airlock_add_test(tst_audit_${area}
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_audit_${area}.cpp
            ${CMAKE_CURRENT_LIST_DIR}/tst_audit_support.h
        LIBRARIES app_audit Qt6::Sql)
    set_target_properties(tst_audit_${area} PROPERTIES AUTOMOC ON)
endforeach()

airlock_add_test(tst_audit_crash
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_audit_crash.cpp ${CMAKE_CURRENT_LIST_DIR}/tst_audit_support.h
    LIBRARIES app_audit Qt6::Sql)
set_target_properties(tst_audit_crash PROPERTIES AUTOMOC ON)
target_compile_definitions(tst_audit_crash PRIVATE AUDIT_WRITER_PATH="$<TARGET_FILE:audit_writer>")
add_dependencies(tst_audit_crash audit_writer)

airlock_add_test(tst_audit_pdf
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_audit_pdf.cpp
    LIBRARIES app_audit app_auditpdf Qt6::Gui)
set_target_properties(tst_audit_pdf PROPERTIES AUTOMOC ON)
