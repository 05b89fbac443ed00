# Unit tests of the engine's boot path, no KVM needed: bzImage, kernel command line, zero page and
# loader, x86 boot CPU state, CPUID, MP table, guest memory, machine config and airlock-vmm options.
# Included from tests/vmm/CMakeLists.txt.

# tst_bzimage also parses the real guest kernel when AIRLOCK_GUEST_KERNEL names one (from the
# CMake cache here, or from the environment ctest runs in); without one that check is skipped.
set(_airlock_kernel_environment "")
if(AIRLOCK_GUEST_KERNEL)
    set(_airlock_kernel_environment "AIRLOCK_GUEST_KERNEL=${AIRLOCK_GUEST_KERNEL}")
endif()

airlock_add_test(tst_bzimage SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_bzimage.cpp
    LIBRARIES vmm_boot ENVIRONMENT ${_airlock_kernel_environment})
airlock_add_test(tst_kernel_command_line SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_kernel_command_line.cpp
    LIBRARIES vmm_boot)
airlock_add_test(tst_boot_params SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_boot_params.cpp
    LIBRARIES vmm_boot)
airlock_add_test(tst_x86_boot_state SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_x86_boot_state.cpp
    LIBRARIES vmm_arch)
airlock_add_test(tst_cpuid SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cpuid.cpp LIBRARIES vmm_arch)
airlock_add_test(tst_mp_table SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_mp_table.cpp LIBRARIES vmm_arch)
airlock_add_test(tst_guest_memory SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_guest_memory.cpp
    LIBRARIES vmm_memory)
airlock_add_test(tst_machine_config SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_machine_config.cpp
    LIBRARIES vmm_runner)

# Each test is one QObject class in its .cpp, which includes its own .moc. moc 6.4 fails to parse
# libstdc++'s <compare> (through memory/GuestAddress.h) unless it has read Qt's global header first.
set_target_properties(tst_bzimage tst_kernel_command_line tst_boot_params tst_x86_boot_state
    tst_cpuid tst_mp_table tst_guest_memory tst_machine_config
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
