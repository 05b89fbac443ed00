# app/session: the session request, dataset inspection and drops.
foreach(test tst_session_request tst_session_datasets tst_session_drop)
    airlock_add_test(${test}
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/${test}.cpp
        LIBRARIES app_session)
    set_target_properties(${test} PROPERTIES AUTOMOC ON)
endforeach()
