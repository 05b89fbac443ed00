// EngineSession: commands. None waits on the GUI thread: control commands run in order on the
// session's command thread, outbox requests on the outbox agent's thread.

#include "DatasetGrant.h"
#include "EngineChannel.h"
#include "EngineProcess.h"
#include "EngineSession.h"
#include "control/ControlClient.h"
#include "control/ControlProtocol.h"

#include <utility>

#include <QtConcurrent/QtConcurrentRun>

namespace app {

namespace {
template<typename T> QFuture<Result<T>> readyFailure(const QString& message)
{
    return QtFuture::makeReadyFuture(Result<T>(failure(message)));
}

QString describe(const vmm::Error& error)
{
    return QString::fromStdString(error.message());
}

// An add scans the folder and waits for the guest's mount: seconds here, longer in the KVM lab.
constexpr std::chrono::milliseconds kAddDatasetTimeout {120'000};
} // namespace

Result<std::shared_ptr<vmm::ControlClient>> EngineSession::connectedClient() const
{
    if (isFinalState(m_state.state()) || m_channelClosed)
        return failure(tr("The session has ended; start a new one."));
    if (!m_client)
        return failure(tr("The session is still starting; try again in a moment."));
    return m_client;
}

void EngineSession::setDisplay(QSize size, const QByteArray& password)
{
    m_displaySize = size;
    m_displayPassword = password;
}

Result<std::function<Result<int>()>> EngineSession::displayConnector() const
{
    if (m_displaySize.isEmpty())
        return failure(tr("This session has no screen; start a session with one to see it."));
    auto client = APP_TRY(connectedClient());
    return std::function<Result<int>()>([client]() -> Result<int> {
        auto stream = client->openDisplayStream();
        if (!stream)
            return failure(tr("Cannot reach the session's screen: %1")
                               .arg(QString::fromStdString(stream.error().message())));
        return stream->release();
    });
}

QFuture<Result<void>> EngineSession::runCommand(
    std::function<Result<void>(vmm::ControlClient&)> command)
{
    auto client = connectedClient();
    if (!client) {
        emit errorOccurred(client.error().message);
        return readyFailure<void>(client.error().message);
    }
    return QtConcurrent::run(&m_commandPool, [client = *client, command = std::move(command)] {
        return command(*client);
    }).then(this, [this](Result<void> result) {
        if (!result)
            emit errorOccurred(result.error().message);
        return result;
    });
}

QFuture<Result<void>> EngineSession::pause()
{
    if (m_state.state() != EngineState::Running)
        return readyFailure<void>(tr("Only a running session can be paused."));
    return runCommand([](vmm::ControlClient& client) -> Result<void> {
        if (auto paused = client.pause(); !paused)
            return failure(tr("The session could not be paused: %1").arg(describe(paused.error())));
        return {};
    });
}

QFuture<Result<void>> EngineSession::resume()
{
    if (m_state.state() != EngineState::Paused)
        return readyFailure<void>(tr("Only a paused session can be resumed."));
    return runCommand([](vmm::ControlClient& client) -> Result<void> {
        if (auto resumed = client.resume(); !resumed)
            return failure(
                tr("The session could not be resumed: %1").arg(describe(resumed.error())));
        return {};
    });
}

QFuture<Result<void>> EngineSession::stop(bool force)
{
    EngineState current = m_state.state();
    if (isFinalState(current) || current == EngineState::Shredding)
        return readyFailure<void>(tr("The session has already stopped."));
    moveTo(EngineState::Stopping,
        force ? tr("Stopping the session at once.") : tr("Asking the guest to shut down."));
    if (m_client)
        return sendStop(force);
    if (!m_channelClosed)
        return queueStop(force);
    // The channel never came up: without it the engine stops and shreds by itself.
    if (force && m_process && m_process->isRunning())
        m_process->kill();
    return QtFuture::makeReadyFuture(Result<void>());
}

QFuture<Result<void>> EngineSession::queueStop(bool force)
{
    // Closing the channel now would stop the engine too, but its shred report would then have
    // no way back and the app would shred (and report) a session the engine shredded properly.
    m_queuedStopForce = m_queuedStopForce || force;
    if (!m_queuedStop) {
        m_queuedStop = std::make_shared<QPromise<Result<void>>>();
        m_queuedStop->start();
    }
    return m_queuedStop->future();
}

void EngineSession::sendQueuedStop()
{
    if (!m_queuedStop)
        return;
    sendStop(m_queuedStopForce).then(this, [this](Result<void> result) {
        settleQueuedStop(std::move(result));
    });
}

void EngineSession::settleQueuedStop(Result<void> result)
{
    if (!m_queuedStop)
        return;
    auto promise = std::exchange(m_queuedStop, nullptr);
    promise->addResult(std::move(result));
    promise->finish();
}

QFuture<Result<void>> EngineSession::sendStop(bool force)
{
    auto stopCommand = [force](vmm::ControlClient& client) -> Result<void> {
        if (auto stopped = client.stop(force); !stopped)
            return failure(tr("The session could not be stopped: %1. Try Force stop.")
                               .arg(describe(stopped.error())));
        return {};
    };
    if (!force)
        return runCommand(stopCommand);
    // A forced stop does not queue behind console input or a slow command.
    return QtConcurrent::run([client = m_client, stopCommand] {
        return stopCommand(*client);
    }).then(this, [this](Result<void> result) {
        if (!result)
            emit errorOccurred(result.error().message);
        return result;
    });
}

QFuture<Result<DatasetAddition>> EngineSession::addDataset(
    const QString& name, const QString& hostPath)
{
    if (m_datasetGrantKey.isEmpty())
        return readyFailure<DatasetAddition>(
            tr("This session cannot take datasets while it runs (it was started without a "
               "dataset key). Start a new session with \"%1\" instead.")
                .arg(name));
    if (m_state.state() != EngineState::Running && m_state.state() != EngineState::Paused)
        return readyFailure<DatasetAddition>(
            tr("Datasets can be added only while the session runs; \"%1\" was not added.")
                .arg(name));
    auto client = connectedClient();
    if (!client)
        return readyFailure<DatasetAddition>(client.error().message);
    nlohmann::json fields {
        {"name", name.toStdString()},
        {"path", hostPath.toStdString()},
        {"grant", DatasetGrant::mac(m_datasetGrantKey, name, hostPath).toStdString()},
    };
    // Not on the command thread: an add takes seconds (a scan, the guest's mount), and typing on
    // the console must not wait behind it. The engine runs one add at a time.
    return QtConcurrent::run([client = *client, fields, name]() -> Result<DatasetAddition> {
        auto reply = client->command(vmm::ControlKind::AddDataset, fields, {}, kAddDatasetTimeout);
        if (!reply)
            return failure(tr("\"%1\" was not added: the engine did not answer (%2).")
                               .arg(name, describe(reply.error())));
        if (!reply->ok)
            return failure(tr("\"%1\" was not added: %2")
                               .arg(name, QString::fromStdString(reply->error)));
        if (!reply->dataset || reply->dataset->name != name.toStdString())
            return failure(tr("\"%1\": the engine's answer does not describe it; it may not be "
                              "visible in the session. Stop the session if this repeats.")
                               .arg(name));
        const vmm::DatasetAdded& added = *reply->dataset;
        DatasetAddition addition;
        addition.name = name;
        addition.fileCount = static_cast<qint64>(added.fileCount);
        addition.folderCount = static_cast<qint64>(added.folderCount);
        addition.totalBytes = static_cast<qint64>(added.totalBytes);
        addition.mountMs = static_cast<qint64>(added.mountMs);
        return addition;
    });
}

void EngineSession::sendConsoleInput(const QByteArray& bytes)
{
    if (bytes.isEmpty() || !connectedClient())
        return;
    for (qsizetype offset = 0; offset < bytes.size();
         offset += static_cast<qsizetype>(vmm::kMaxStreamChunkBytes)) {
        QByteArray chunk = bytes.mid(offset, static_cast<qsizetype>(vmm::kMaxStreamChunkBytes));
        runCommand([chunk](vmm::ControlClient& client) -> Result<void> {
            // Safety: QByteArray holds plain bytes; reading them as uint8_t aliases char.
            std::span<const uint8_t> view(reinterpret_cast<const uint8_t*>(chunk.constData()),
                static_cast<size_t>(chunk.size()));
            if (auto sent = client.sendConsoleInput(view); !sent)
                return failure(tr("What you typed did not reach the guest (%1); type it again.")
                                   .arg(describe(sent.error())));
            return {};
        });
    }
}

QFuture<Result<QList<OutboxFile>>> EngineSession::listOutbox()
{
    if (auto client = connectedClient(); !client)
        return readyFailure<QList<OutboxFile>>(client.error().message);
    return m_outboxAgent->listOutbox();
}

QFuture<Result<OutboxExport>> EngineSession::fetchOutboxFile(
    const QString& name, const QString& destination)
{
    if (auto client = connectedClient(); !client)
        return readyFailure<OutboxExport>(client.error().message);
    return m_outboxAgent->fetchOutboxFile(name, destination);
}

} // namespace app
