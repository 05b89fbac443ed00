# Unit tests for issue 5's VNC server (vmm/display); included from tests/vmm/CMakeLists.txt.
# No KVM needed: the viewer is libvncclient in the test, the screen a plain buffer.

airlock_add_test(tst_display_server SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_display_server.cpp
    LIBRARIES vmm_display PkgConfig::VNCCLIENT)
airlock_add_test(tst_display_access SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_display_access.cpp
    LIBRARIES vmm_display vmm_sandbox PkgConfig::VNCCLIENT)
airlock_add_test(tst_display_units SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_display_units.cpp
    LIBRARIES vmm_display)

# moc 6.4 needs Qt's global header before libstdc++'s <compare> (see EngineBootTests.cmake).
set_target_properties(tst_display_server tst_display_access tst_display_units
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
