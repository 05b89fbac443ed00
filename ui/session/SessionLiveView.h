#pragma once

#include <QDateTime>
#include <QWidget>

class QSplitter;

namespace app {
class EngineSession;
}

namespace ui {

class SessionGraphs;
class TerminalView;

/// A session's console and live graphs side by side (a splitter the user can move, remembered):
/// guest output goes to the terminal, what the user types goes to the engine, each second of
/// metrics goes to the graphs.
class SessionLiveView : public QWidget {
    Q_OBJECT

public:
    /// Shows `engine`; its metrics points are drawn at `origin` plus their second of uptime.
    SessionLiveView(app::EngineSession& engine, const QDateTime& origin, QWidget* parent = nullptr);
    ~SessionLiveView() override;

    /// The console.
    TerminalView* terminal() const { return m_terminal; }
    /// The graphs.
    SessionGraphs* graphs() const { return m_graphs; }
    /// The splitter between them.
    QSplitter* splitter() const { return m_splitter; }

private:
    void addLatestMetrics();

    app::EngineSession& m_engine;
    QDateTime m_origin;
    TerminalView* m_terminal;
    SessionGraphs* m_graphs;
    QSplitter* m_splitter;
};

} // namespace ui
