# Sessions through the KVM lab (included from tests/app/CMakeLists.txt): the lab's command line,
# environment and failure reasons with a stand-in lab (tst_engine_lab_arguments, fast), and a whole
# session through the real lab and its control relay from this machine (tst_engine_lab_relay:
# SKIPPED unless AIRLOCK_TEST_LAB_RELAY=1, as it boots the emulated host).
airlock_add_test(tst_engine_lab_arguments
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_lab_arguments.cpp LIBRARIES app_engine)
airlock_add_test(tst_engine_lab_relay
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_lab_relay.cpp LIBRARIES app_engine vmm_control)
target_compile_definitions(tst_engine_lab_relay PRIVATE
    AIRLOCK_VMM="$<TARGET_FILE:airlock-vmm>"
    AIRLOCK_GUEST_KERNEL="${AIRLOCK_GUEST_KERNEL}"
    AIRLOCK_GUEST_INITRAMFS="${AIRLOCK_GUEST_INITRAMFS}"
    AIRLOCK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(tst_engine_lab_relay airlock-vmm airlock-relay)
if(TARGET airlock-initramfs)
    add_dependencies(tst_engine_lab_relay airlock-initramfs)
endif()
set_target_properties(tst_engine_lab_arguments tst_engine_lab_relay
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
airlock_add_test(tst_engine_lab_pump SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_lab_pump.cpp)
target_compile_definitions(tst_engine_lab_pump PRIVATE
    AIRLOCK_RELAY="$<TARGET_FILE:airlock-relay>")
add_dependencies(tst_engine_lab_pump airlock-relay)
set_target_properties(tst_engine_lab_pump PROPERTIES AUTOMOC ON)
