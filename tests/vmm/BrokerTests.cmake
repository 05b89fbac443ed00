# The dataset broker (hot-adding datasets to a sandboxed session); included from
# tests/vmm/CMakeLists.txt. All on the host, no KVM: a Landlock-confined process reads a dataset
# through the broker, refused grants and hostile requests, concurrency, the broker's lifetime.
airlock_add_test(tst_dataset_broker SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_dataset_broker.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tst_dataset_support.h LIBRARIES vmm_broker vmm_dataset vmm_sandbox)
set_target_properties(tst_dataset_broker
    PROPERTIES AUTOMOC ON AUTOMOC_MOC_OPTIONS "--include;QtCore/qglobal.h")
