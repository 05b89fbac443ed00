# Tests of app/manager and airlockctl (included from tests/app/CMakeLists.txt). No KVM: sessions
# run a fake airlock-vmm child (tst_manager_fake_vmm) that speaks the control protocol, reports
# dataset manifests, and plays a command that exits, runs until stopped, or ignores a clean stop.
add_executable(tst_manager_fake_vmm ${CMAKE_CURRENT_LIST_DIR}/tst_manager_fake_vmm.cpp)
target_include_directories(tst_manager_fake_vmm PRIVATE ${PROJECT_SOURCE_DIR}/tests/vmm)
target_link_libraries(tst_manager_fake_vmm PRIVATE vmm_control vmm_scratch airlock_warnings
    airlock_hardening)

airlock_add_test(tst_manager_session SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_manager_session.cpp
    LIBRARIES app_manager Qt6::Sql)
target_compile_definitions(tst_manager_session PRIVATE
    AIRLOCK_FAKE_VMM="$<TARGET_FILE:tst_manager_fake_vmm>")
add_dependencies(tst_manager_session tst_manager_fake_vmm)
set_target_properties(tst_manager_session
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")

airlock_add_test(tst_airlockctl SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_airlockctl.cpp
    LIBRARIES app_audit Qt6::Sql)
target_compile_definitions(tst_airlockctl PRIVATE
    AIRLOCKCTL="$<TARGET_FILE:airlockctl>" AIRLOCK_FAKE_VMM="$<TARGET_FILE:tst_manager_fake_vmm>")
add_dependencies(tst_airlockctl airlockctl tst_manager_fake_vmm)
set_target_properties(tst_airlockctl PROPERTIES AUTOMOC ON)
