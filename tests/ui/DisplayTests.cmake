# app/display and ui/display: the session's screen against scripted RFB servers, offscreen.
airlock_add_test(tst_display_connection
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_display_connection.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tst_display_server.h
    LIBRARIES app_display)
set_target_properties(tst_display_connection PROPERTIES AUTOMOC ON)
airlock_add_test(tst_display_view
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_display_view.cpp
        ${CMAKE_CURRENT_LIST_DIR}/tst_display_server.h
    LIBRARIES ui_display)
set_target_properties(tst_display_view PROPERTIES AUTOMOC ON)
