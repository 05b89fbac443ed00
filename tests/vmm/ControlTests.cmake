# Unit tests of the control channel between the app and airlock-vmm (vmm/control); included from
# tests/vmm/CMakeLists.txt. No KVM: the machine is a fake (ControlTarget), the vsock socket a fake
# hybrid listener. The real machine is tests/lab/tst_vmm_control.
airlock_add_test(tst_control_messages SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_control_messages.cpp
    LIBRARIES vmm_control)
airlock_add_test(tst_control_server SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_control_server.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tst_control_support.h LIBRARIES vmm_control)
airlock_add_test(tst_control_hostile SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_control_hostile.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tst_control_support.h LIBRARIES vmm_control)
set_target_properties(tst_control_messages tst_control_server tst_control_hostile
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
