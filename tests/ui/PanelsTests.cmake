# ui/outbox and ui/audit: the outbox panel, the audit view and the shred certificate (offscreen).
airlock_add_test(tst_outbox_panel
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_outbox_panel.cpp
    LIBRARIES ui_outbox Qt6::Widgets)
airlock_add_test(tst_audit_view
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_audit_view.cpp
        ${CMAKE_CURRENT_LIST_DIR}/../app/tst_audit_support.h
    LIBRARIES ui_audit Qt6::Widgets Qt6::Sql)
airlock_add_test(tst_audit_shredcertificate
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_audit_shredcertificate.cpp
    LIBRARIES ui_audit Qt6::Widgets)
foreach(test tst_outbox_panel tst_audit_view tst_audit_shredcertificate)
    set_target_properties(${test} PROPERTIES AUTOMOC ON)
    # Screenshots land in the build tree, beside the other CI artifacts.
    target_compile_definitions(${test} PRIVATE
        AIRLOCK_SCREENSHOT_DIR="${CMAKE_BINARY_DIR}/screenshots")
endforeach()
set_target_properties(tst_outbox_panel PROPERTIES
    AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
target_include_directories(tst_audit_view PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../app)
