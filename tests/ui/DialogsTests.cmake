# ui/dialogs: the new-session dialog (offscreen).
airlock_add_test(tst_dialogs_new_session
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_dialogs_new_session.cpp
    LIBRARIES ui_dialogs Qt6::Widgets)
set_target_properties(tst_dialogs_new_session PROPERTIES AUTOMOC ON)
# The screenshot lands in the build tree, beside the other CI artifacts.
target_compile_definitions(tst_dialogs_new_session PRIVATE
    AIRLOCK_SCREENSHOT_DIR="${CMAKE_BINARY_DIR}/screenshots")
