#pragma once

#include "ManagedSession.h"

#include <memory>

#include <QByteArray>
#include <QObject>
#include <QSocketNotifier>
#include <QString>

namespace app::cli {

/// One `airlockctl run` session from start to shred: streams the console to stdout, exports the
/// outbox when the command has finished (the guest waits for that, see wrapCommand()), closes
/// on Ctrl+C (by force on the second), prints the shred summary on stderr, and finishes with the
/// exit status airlockctl returns.
class RunSession : public QObject {
    Q_OBJECT
public:
    /// The guest command that runs `command`, then announces its end with `marker` and waits
    /// for a line on the console (so that the outbox can be exported before the guest stops),
    /// then exits with the command's status.
    static QStringList wrapCommand(const QStringList& command, const QString& marker);

    /// Follows `session`; exports to `exportDirectory` ("" : no export) once `marker` appears.
    RunSession(ManagedSession& session, QString exportDirectory, QString marker);
    ~RunSession() override;

signals:
    /// The session ended and was shredded; `status` is what airlockctl exits with.
    void finished(int status);

private:
    void onConsole(const QByteArray& bytes);
    void exportOutbox();
    void exportNext(QList<OutboxFile> files);
    void releaseGuest();
    void onEnded(const QString& reason);
    void onInterrupt();

    ManagedSession& m_session;
    QString m_exportDirectory;
    QByteArray m_marker;
    QByteArray m_consoleTail;
    bool m_exportStarted = false;
    bool m_exportFailed = false;
    int m_interrupts = 0;
    std::unique_ptr<QSocketNotifier> m_interruptNotifier;
};

} // namespace app::cli
