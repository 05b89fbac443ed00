# ui/graphs: session graphs (QCustomPlot) and the sparkline, offscreen.
airlock_add_test(tst_graphs_session
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_graphs_session.cpp
    LIBRARIES ui_graphs)
set_target_properties(tst_graphs_session PROPERTIES AUTOMOC ON)
airlock_add_test(tst_graphs_sparkline
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_graphs_sparkline.cpp
    LIBRARIES ui_graphs)
set_target_properties(tst_graphs_sparkline PROPERTIES AUTOMOC ON)
