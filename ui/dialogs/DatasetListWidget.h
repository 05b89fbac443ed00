#pragma once

#include "DatasetSource.h"

#include <QList>
#include <QWidget>

class QLabel;
class QStackedLayout;
class QTreeWidget;

namespace ui {

/// The datasets of a session, one row each: name, size, file count, a "read-only" badge, and
/// either a remove button (while choosing, in the new-session dialog) or the SHA-256 manifest
/// digest (once mounted, in the session window).
class DatasetListWidget : public QWidget {
    Q_OBJECT

public:
    /// An empty list that shows `placeholder` until something is added.
    explicit DatasetListWidget(QWidget* parent = nullptr);

    /// Replaces the rows with `sources`.
    void setSources(const QList<app::DatasetSource>& sources);
    /// Appends `sources` at the end.
    void addSources(const QList<app::DatasetSource>& sources);
    /// The rows, in order.
    QList<app::DatasetSource> sources() const { return m_sources; }
    /// How many rows there are.
    int count() const { return static_cast<int>(m_sources.size()); }
    /// Removes row `index` (no-op when out of range).
    void removeAt(int index);

    /// Whether each row has a remove button (and Delete removes the selected row).
    void setRemovable(bool removable);
    /// Whether the manifest digest column is shown.
    void setDigestShown(bool shown);
    /// The text shown while the list is empty.
    void setPlaceholderText(const QString& text);
    /// "1 file", "1,234 files" in the user's locale.
    static QString fileCountText(qint64 files);
    /// The row view, for focus and tab order.
    QTreeWidget* view() const { return m_tree; }

signals:
    /// A row was added or removed.
    void sourcesChanged();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void addRow(int index, const app::DatasetSource& source);

    QList<app::DatasetSource> m_sources;
    QTreeWidget* m_tree;
    QLabel* m_placeholder;
    QStackedLayout* m_stack;
    bool m_removable = true;
    bool m_digestShown = false;
};

} // namespace ui
