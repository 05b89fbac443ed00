# Screenshots of a real session (issue 4): the main window, a session window with console and
# graphs, its outbox, the shred certificate and the verified audit trail, taken while this
# build's guest runs with real KVM (through the KVM lab where /dev/kvm is missing). They land in
# ${CMAKE_BINARY_DIR}/screenshots, the CI artifacts the README links. Slow: SKIPPED unless
# /dev/kvm opens or AIRLOCK_TEST_LAB_RELAY=1 (scripts/test.sh runs it in its relay step).
airlock_add_test(tst_app_screenshots
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_app_screenshots.cpp
    LIBRARIES ui_main ui_session ui_display ui_audit app_engine)
target_compile_definitions(tst_app_screenshots PRIVATE
    AIRLOCK_SCREENSHOT_DIR="${CMAKE_BINARY_DIR}/screenshots"
    AIRLOCK_VMM="$<TARGET_FILE:airlock-vmm>"
    AIRLOCK_GUEST_KERNEL="${AIRLOCK_GUEST_KERNEL}"
    AIRLOCK_GUEST_INITRAMFS="${AIRLOCK_GUEST_INITRAMFS}")
add_dependencies(tst_app_screenshots airlock-vmm airlock-relay)
if(TARGET airlock-initramfs)
    add_dependencies(tst_app_screenshots airlock-initramfs)
endif()
set_target_properties(tst_app_screenshots PROPERTIES AUTOMOC ON
    AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
set_tests_properties(tst_app_screenshots PROPERTIES TIMEOUT 900)

# The English plural forms ("1 file", "2 files") the app loads at start, and the screenshots show
# (translations/, once the top CMakeLists.txt adds it before tests/).
if(TARGET airlock_translations)
    airlock_add_test(tst_translations
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_translations.cpp LIBRARIES airlock_translations)
    set_target_properties(tst_translations PROPERTIES AUTOMOC ON)
    target_link_libraries(tst_app_screenshots PRIVATE airlock_translations)
    target_compile_definitions(tst_app_screenshots PRIVATE AIRLOCK_HAVE_TRANSLATIONS)
endif()
