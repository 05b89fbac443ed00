# Tests of app/engine (included from tests/app/CMakeLists.txt). No KVM: the engine is a fake
# ControlServer in the test's process (tst_engine_session, tst_engine_agent with a fake guest
# agent behind its vsock socket) or a fake airlock-vmm child process
# (tst_engine_fake_vmm, for tst_engine_launch).
airlock_add_test(tst_engine_state SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_state.cpp
    LIBRARIES app_engine)
airlock_add_test(tst_engine_metrics SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_metrics.cpp
    LIBRARIES app_engine)
airlock_add_test(tst_engine_add_dataset SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_add_dataset.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tst_engine_support.h LIBRARIES app_engine vmm_broker vmm_scratch)
target_include_directories(tst_engine_add_dataset PRIVATE ${PROJECT_SOURCE_DIR}/tests/vmm)
airlock_add_test(tst_engine_locator SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_locator.cpp
    LIBRARIES app_engine)
airlock_add_test(tst_engine_session SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_session.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tst_engine_support.h LIBRARIES app_engine vmm_scratch)
target_include_directories(tst_engine_session PRIVATE ${PROJECT_SOURCE_DIR}/tests/vmm)
airlock_add_test(tst_engine_agent SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_agent.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tst_engine_support.h LIBRARIES app_engine vmm_scratch)
target_include_directories(tst_engine_agent PRIVATE ${PROJECT_SOURCE_DIR}/tests/vmm)

add_executable(tst_engine_fake_vmm ${CMAKE_CURRENT_LIST_DIR}/tst_engine_fake_vmm.cpp)
target_include_directories(tst_engine_fake_vmm PRIVATE ${PROJECT_SOURCE_DIR}/tests/vmm)
target_link_libraries(tst_engine_fake_vmm PRIVATE vmm_control vmm_scratch airlock_warnings
    airlock_hardening)
airlock_add_test(tst_engine_launch SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_launch.cpp
    LIBRARIES app_engine)
target_compile_definitions(tst_engine_launch PRIVATE
    AIRLOCK_FAKE_VMM="$<TARGET_FILE:tst_engine_fake_vmm>")
add_dependencies(tst_engine_launch tst_engine_fake_vmm)

set_target_properties(tst_engine_state tst_engine_metrics tst_engine_add_dataset tst_engine_locator tst_engine_session
    tst_engine_agent tst_engine_launch
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
