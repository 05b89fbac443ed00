#include "AuditWriter.h"

#include "audit/AuditStore.h"

#include <QFileInfo>

namespace app {

namespace {
constexpr std::chrono::seconds kRetryInterval {5};
} // namespace

AuditWriter::AuditWriter(std::unique_ptr<AuditStore> store, QObject* parent)
    : QObject(parent)
    , m_store(std::move(store))
{
    m_retryTimer.setInterval(kRetryInterval);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        if (flush())
            emit recovered();
    });
}

AuditWriter::~AuditWriter()
{
    if (m_pending.isEmpty())
        return;
    if (auto flushed = flush(); !flushed)
        // Nothing else can hold them any more: the log is the last place they can be seen.
        qCritical("airlock: %lld audit events could not be written to %s and are lost: %s",
            static_cast<long long>(m_pending.size()), qUtf8Printable(m_store->path()),
            qUtf8Printable(flushed.error().message));
}

Result<void> AuditWriter::record(AuditEvent event)
{
    // The time it happened, not the time a retry finally wrote it.
    if (!event.time.isValid())
        event.time = QDateTime::currentDateTimeUtc();
    m_pending.append(std::move(event));
    return flush();
}

Result<void> AuditWriter::flush()
{
    while (!m_pending.isEmpty()) {
        auto written = m_store->append(m_pending.first());
        if (!written) {
            if (!m_retryTimer.isActive())
                m_retryTimer.start();
            return failure(failureMessage(written.error().message));
        }
        m_pending.removeFirst();
        emit appended();
    }
    m_retryTimer.stop();
    return {};
}

QString AuditWriter::failureMessage(const QString& cause) const
{
    return tr("Airlock could not write to the audit trail (%1). %n event(s) wait in memory and "
              "are written as soon as the trail accepts them. Free space on the disk that holds "
              "%2 and keep Airlock open until then: quitting now would lose them.",
        nullptr, static_cast<int>(m_pending.size()))
        .arg(cause, QFileInfo(m_store->path()).absolutePath());
}

} // namespace app
