# Unit tests for issue 3's protocol work; included from tests/vmm/CMakeLists.txt.
# Framing (all splits, truncation, caps, bad JSON), the typed messages and their validation, and
# the host's agent client against scripted guests. The client against the real agent server is
# in tests/guest (tst_guest_agent), since the server is part of airlock-guest.
airlock_add_test(tst_protocol_frames SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_protocol_frames.cpp
    LIBRARIES vmm_protocol)
airlock_add_test(tst_protocol_messages SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_protocol_messages.cpp
    LIBRARIES vmm_protocol OpenSSL::Crypto)
airlock_add_test(tst_protocol_agent_client
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_protocol_agent_client.cpp LIBRARIES vmm_protocol)
set_target_properties(tst_protocol_frames tst_protocol_messages tst_protocol_agent_client
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
