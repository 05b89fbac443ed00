#include "DatasetInspection.h"

#include "DatasetInspector.h"

#include <mutex>

#include <QThread>

namespace app {

// What the worker thread and the GUI thread share. The worker holds its own reference, so it
// never touches a DatasetInspection that was destroyed while it ran.
struct DatasetInspection::Shared {
    InspectionProgress progress;
    std::mutex mutex;
    QString currentPath;
    Result<QList<DatasetSource>> result = QList<DatasetSource> {};
};

namespace {

constexpr int kProgressIntervalMilliseconds = 100;

} // namespace

DatasetInspection::DatasetInspection(QObject* parent)
    : QObject(parent)
{
    m_progressTimer.setInterval(kProgressIntervalMilliseconds);
    connect(&m_progressTimer, &QTimer::timeout, this, &DatasetInspection::reportProgress);
}

DatasetInspection::~DatasetInspection()
{
    // The thread deletes itself when it finishes (connected in start()); waiting for it here
    // could freeze the window on a slow file system.
    cancel();
}

bool DatasetInspection::start(const QStringList& paths, const QList<DatasetSource>& chosen)
{
    if (isRunning())
        return false;
    auto shared = std::make_shared<Shared>();
    m_shared = shared;
    QThread* thread = QThread::create([shared, paths, chosen] {
        QList<DatasetSource> found;
        QList<DatasetSource> taken = chosen;
        for (const QString& path : paths) {
            {
                std::lock_guard lock(shared->mutex);
                shared->currentPath = path;
            }
            shared->progress.files = 0;
            shared->progress.bytes = 0;
            Result<DatasetSource> source =
                DatasetInspector::inspect(path, taken, &shared->progress);
            if (!source) {
                std::lock_guard lock(shared->mutex);
                shared->result = tl::unexpected(source.error());
                return;
            }
            found.append(*source);
            taken.append(*source);
        }
        std::lock_guard lock(shared->mutex);
        shared->result = std::move(found);
    });
    thread->setObjectName(QStringLiteral("dataset inspection"));
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    connect(thread, &QThread::finished, this, &DatasetInspection::finish);
    m_thread = thread;
    thread->start(QThread::LowPriority);
    m_progressTimer.start();
    return true;
}

void DatasetInspection::cancel()
{
    if (m_shared)
        m_shared->progress.cancelRequested = true;
}

bool DatasetInspection::isRunning() const
{
    return m_shared != nullptr;
}

void DatasetInspection::reportProgress()
{
    if (!m_shared)
        return;
    QString path;
    {
        std::lock_guard lock(m_shared->mutex);
        path = m_shared->currentPath;
    }
    emit progressed(path, m_shared->progress.files.load(), m_shared->progress.bytes.load());
}

void DatasetInspection::finish()
{
    m_progressTimer.stop();
    std::shared_ptr<Shared> shared = std::exchange(m_shared, nullptr);
    m_thread = nullptr;
    if (!shared)
        return;
    Result<QList<DatasetSource>> result = [&] {
        std::lock_guard lock(shared->mutex);
        return shared->result;
    }();
    if (shared->progress.cancelRequested)
        emit cancelled();
    else if (!result)
        emit failed(result.error().message);
    else
        emit inspected(*result);
}

} // namespace app
