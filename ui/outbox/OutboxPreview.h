#pragma once

#include "GuestAgent.h"

#include <QByteArray>
#include <QImage>
#include <QWidget>

class QAbstractItemModel;
class QLabel;
class QPlainTextEdit;
class QScrollArea;
class QStackedWidget;
class QTableView;

namespace ui {

class CsvTableModel;

/// The preview pane of the outbox panel: text (the first 256 KiB, monospace), CSV as a table
/// (the first 1,000 rows), images up to 50 megapixels, and for anything else a line saying there
/// is no preview and how big the file is. It shows bytes it is given; it never fetches.
class OutboxPreview : public QWidget {
    Q_OBJECT
public:
    /// What the pane shows.
    enum class Kind { Message, Text, Table, Image };

    /// The longest text shown (the rest of the file is left out, and the pane says so).
    static constexpr qint64 kTextLimit = 256 * 1024;
    /// The most CSV rows shown, header row not counted.
    static constexpr int kRowLimit = 1000;
    /// The largest image decoded, in pixels.
    static constexpr qint64 kPixelLimit = 50'000'000;

    /// An empty pane ("Select a file to preview it").
    explicit OutboxPreview(QWidget* parent = nullptr);

    /// How many bytes of `file` showFile() needs: more for tables and images than for text.
    static qint64 bytesWanted(const app::OutboxFile& file);

    /// Shows `bytes`, the start of `file`, in the form that suits it.
    void showFile(const app::OutboxFile& file, const QByteArray& bytes);
    /// Shows `text` instead of a preview (loading, nothing selected, an error).
    void showMessage(const QString& text);

    /// What is shown now.
    Kind kind() const { return m_kind; }
    /// The message, or the note above a preview ("first 256 KiB of 3 MB").
    QString message() const;
    /// The text preview's contents.
    QString text() const;
    /// The CSV table.
    QAbstractItemModel* tableModel() const;
    /// The decoded image.
    QImage image() const { return m_image; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    bool showImage(const app::OutboxFile& file, const QByteArray& bytes);
    void showTable(const app::OutboxFile& file, const QByteArray& bytes);
    void showText(const app::OutboxFile& file, const QByteArray& bytes);
    void setNote(const QString& text);
    void fitImage();

    Kind m_kind = Kind::Message;
    QImage m_image;
    QLabel* m_note = nullptr;
    QStackedWidget* m_pages = nullptr;
    QLabel* m_messageLabel = nullptr;
    QPlainTextEdit* m_textView = nullptr;
    QTableView* m_tableView = nullptr;
    CsvTableModel* m_tableModel = nullptr;
    QScrollArea* m_imageArea = nullptr;
    QLabel* m_imageLabel = nullptr;
};

} // namespace ui
