#include "AuditChainCheck.h"

#include "audit/AuditStore.h"

namespace ui {

app::AuditVerification verifyAuditFile(const QString& path)
{
    auto store = app::AuditStore::open(path);
    if (!store) {
        app::AuditVerification failed;
        failed.problem = store.error().message;
        return failed;
    }
    return (*store)->verify();
}

} // namespace ui
