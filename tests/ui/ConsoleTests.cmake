# ui/console: the terminal view (libvterm), offscreen.
airlock_add_test(tst_console_terminal
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_console_terminal.cpp
    LIBRARIES ui_console)
set_target_properties(tst_console_terminal PROPERTIES AUTOMOC ON)
airlock_add_test(tst_console_input
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_console_input.cpp
    LIBRARIES ui_console)
set_target_properties(tst_console_input PROPERTIES AUTOMOC ON)
