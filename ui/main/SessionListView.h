#pragma once

#include <QTreeView>

namespace ui {

/// The main window's session list: a flat table that says what to do while it is empty, and
/// takes drops of folders and files (on a row: for that session; elsewhere: for a new one).
/// Over a SessionListModel each row is two lines: the name and a state badge, then uptime,
/// datasets and purpose in a smaller secondary colour; the CPU sparkline keeps its own column.
class SessionListView : public QTreeView {
    Q_OBJECT

public:
    /// An empty list.
    explicit SessionListView(QWidget* parent = nullptr);

    /// Shows `model` (a SessionListModel): its state, uptime and datasets columns are drawn in
    /// the name column's two-line cell instead of on their own, and that cell takes the width.
    void setModel(QAbstractItemModel* model) override;

    /// The text shown while there are no sessions.
    QString placeholderText() const { return m_placeholder; }

signals:
    /// Local folders or files were dropped on `row` (invalid: not on a session).
    void pathsDropped(const QStringList& paths, const QModelIndex& row);
    /// Something that is not a local folder or file was dropped; `message` says what and why.
    void dropRefused(const QString& message);
    /// Enter was pressed on the current row (double-click emits activated too).
    void openRequested(const QModelIndex& row);

protected:
    void paintEvent(QPaintEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QString m_placeholder;
};

} // namespace ui
