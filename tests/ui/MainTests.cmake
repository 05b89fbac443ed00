# ui/main and ui/session, offscreen and without KVM: the main window and the session window
# against the in-process fake engine (tests/app/tst_engine_support.h) or a SessionManager whose
# sessions run the manager tests' fake airlock-vmm (tst_manager_fake_vmm).
airlock_add_test(tst_sessionwindow_live
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sessionwindow_live.cpp
    LIBRARIES ui_session vmm_scratch)
target_include_directories(tst_sessionwindow_live PRIVATE ${PROJECT_SOURCE_DIR}/tests/app
    ${PROJECT_SOURCE_DIR}/tests/vmm)

airlock_add_test(tst_sessionwindow_close
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sessionwindow_close.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tst_sessionwindow_support.h
    LIBRARIES ui_session)

airlock_add_test(tst_main_window
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_main_window.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tst_sessionwindow_support.h
    LIBRARIES ui_main)
# The screenshots land in the build tree, beside the other CI artifacts.
target_compile_definitions(tst_main_window PRIVATE
    AIRLOCK_SCREENSHOT_DIR="${CMAKE_BINARY_DIR}/screenshots")

foreach(test tst_sessionwindow_close tst_main_window)
    target_compile_definitions(${test} PRIVATE
        AIRLOCK_FAKE_VMM="$<TARGET_FILE:tst_manager_fake_vmm>")
    add_dependencies(${test} tst_manager_fake_vmm)
endforeach()
set_target_properties(tst_sessionwindow_live tst_sessionwindow_close tst_main_window
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
