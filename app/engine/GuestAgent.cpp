#include "GuestAgent.h"

#include "control/ControlClient.h"
#include "protocol/AgentClient.h"
#include "protocol/AgentProtocol.h"
#include "protocol/OutboxMessages.h"

#include <fcntl.h>

#include <sys/socket.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

namespace app {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("app::GuestAgent", text);
}

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}
} // namespace

GuestAgent::GuestAgent(std::shared_ptr<vmm::ControlClient> client)
    : m_client(std::move(client))
{
    m_pool.setMaxThreadCount(1); // one request at a time, in order
}

GuestAgent::~GuestAgent()
{
    abort();
    m_pool.clear();
    m_pool.waitForDone();
}

void GuestAgent::abort()
{
    std::lock_guard lock(m_handleMutex);
    if (m_abortHandle.isValid())
        ::shutdown(m_abortHandle.get(), SHUT_RDWR);
}

void GuestAgent::disconnect()
{
    m_agent.reset();
    std::lock_guard lock(m_handleMutex);
    m_abortHandle.reset();
}

Result<vmm::AgentClient*> GuestAgent::connection()
{
    if (m_agent)
        return m_agent.get();
    auto stream = m_client->openStream(vmm::kAgentPort);
    if (!stream)
        return failure(tr("The session's guest agent cannot be reached (%1); the session may "
                          "still be starting.")
                           .arg(fromStd(stream.error().message())));
    {
        std::lock_guard lock(m_handleMutex);
        m_abortHandle = vmm::UniqueFd(::fcntl(stream->get(), F_DUPFD_CLOEXEC, 0));
    }
    auto agent = vmm::AgentClient::create(std::move(*stream));
    if (!agent) {
        disconnect();
        return failure(tr("The session's guest agent did not answer (%1).")
                           .arg(fromStd(agent.error().message())));
    }
    m_agent = std::make_unique<vmm::AgentClient>(std::move(*agent));
    return m_agent.get();
}

QFuture<Result<vmm::GuestMetrics>> GuestAgent::metrics()
{
    return QtConcurrent::run(&m_pool, [this]() -> Result<vmm::GuestMetrics> {
        vmm::AgentClient* agent = APP_TRY(connection());
        auto metrics = agent->metrics();
        if (!metrics) {
            disconnect();
            return failure(tr("The guest agent did not report metrics: %1")
                               .arg(fromStd(metrics.error().message())));
        }
        return *metrics;
    });
}

QFuture<Result<QList<OutboxFile>>> GuestAgent::listOutbox()
{
    return QtConcurrent::run(&m_pool, [this]() -> Result<QList<OutboxFile>> {
        vmm::AgentClient* agent = APP_TRY(connection());
        auto entries = agent->listOutbox();
        if (!entries) {
            disconnect();
            return failure(tr("The outbox could not be listed: %1. Try again; if the session "
                              "has stopped, its outbox is gone.")
                               .arg(fromStd(entries.error().message())));
        }
        QList<OutboxFile> files;
        for (const vmm::OutboxEntry& entry : *entries)
            files.append({fromStd(entry.path), entry.size, fromStd(entry.sha256),
                QDateTime::fromMSecsSinceEpoch(entry.mtimeNs / 1'000'000)});
        return files;
    });
}

QFuture<Result<OutboxExport>> GuestAgent::fetchOutboxFile(
    const QString& path, const QString& destination)
{
    return QtConcurrent::run(
        &m_pool, [this, path, destination] { return fetch(path, destination); });
}

Result<OutboxExport> GuestAgent::fetch(const QString& path, const QString& destination)
{
    if (auto valid = vmm::OutboxPath::validate(path.toStdString()); !valid)
        return failure(
            tr("'%1' is not a file of the outbox: %2.").arg(path, fromStd(valid.error().detail())));
    QSaveFile file(destination);
    if (!file.open(QIODevice::WriteOnly))
        return failure(tr("Cannot write '%1': %2. Choose a folder you can write to.")
                           .arg(destination, file.errorString()));
    vmm::AgentClient* agent = APP_TRY(connection());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    quint64 written = 0;
    auto end = agent->fetchOutboxFile(
        path.toStdString(), [&](std::span<const uint8_t> bytes) -> vmm::Result<void> {
            // Safety: QIODevice::write takes bytes as char; uint8_t and char alias.
            const char* data = reinterpret_cast<const char*>(bytes.data());
            auto size = static_cast<qint64>(bytes.size());
            if (file.write(data, size) != size)
                return vmm::failure(vmm::Error::invalid("write", file.errorString().toStdString()));
            hash.addData(QByteArrayView(data, size));
            written += bytes.size();
            return {};
        });
    if (!end) {
        file.cancelWriting();
        disconnect();
        return failure(tr("'%1' could not be exported: %2. Nothing was written; try again.")
                           .arg(path, fromStd(end.error().message())));
    }
    QString sha256 = QString::fromLatin1(hash.result().toHex());
    if (sha256 != fromStd(end->sha256) || written != end->size) {
        file.cancelWriting();
        return failure(tr("'%1' changed while it was copied (its SHA-256 does not match the "
                          "guest's). Nothing was written; export it again.")
                           .arg(path));
    }
    if (!file.commit())
        return failure(tr("Cannot save '%1': %2. Nothing was written; check the free space and "
                          "try again.")
                           .arg(destination, file.errorString()));
    return OutboxExport {destination, written, sha256};
}

} // namespace app
