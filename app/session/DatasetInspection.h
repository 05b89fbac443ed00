#pragma once

#include "DatasetSource.h"

#include <memory>

#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

class QThread;

namespace app {

/// Inspects a batch of dropped or picked paths on a worker thread, with progress and cancel, so
/// the window never freezes on a large tree. All or nothing: if one path fails, the batch fails
/// and none is added (issue 4: "dropping something unreadable ... changes nothing").
class DatasetInspection : public QObject {
    Q_OBJECT

public:
    /// An idle inspection.
    explicit DatasetInspection(QObject* parent = nullptr);
    /// Cancels a running batch; its thread finishes on its own and nothing is reported.
    ~DatasetInspection() override;

    /// Starts inspecting `paths` for a session that already holds `chosen`; names are made
    /// unique against those and each other. Returns false (and does nothing) while a batch runs.
    bool start(const QStringList& paths, const QList<DatasetSource>& chosen);
    /// Asks the running batch to stop; it then reports cancelled().
    void cancel();
    /// Whether a batch is running.
    bool isRunning() const;

signals:
    /// About ten times a second while running: the path being inspected and its counts so far.
    void progressed(const QString& path, qint64 files, qint64 bytes);
    /// The batch succeeded: one source per path, in order.
    void inspected(const QList<app::DatasetSource>& sources);
    /// A path failed; `message` names it and says what to do.
    void failed(const QString& message);
    /// The batch stopped because cancel() was called.
    void cancelled();

private:
    struct Shared;

    void reportProgress();
    void finish();

    std::shared_ptr<Shared> m_shared;
    QPointer<QThread> m_thread;
    QTimer m_progressTimer;
};

} // namespace app
