#include "OutboxPreview.h"

#include "CsvTableModel.h"

#include <QBuffer>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace ui {

namespace {

// Enough for the first 1,000 rows of any sensible table.
constexpr qint64 kTableBytes = 16 * 1024 * 1024;
// A 50-megapixel PNG is rarely above this; a larger file is refused before it is fetched.
constexpr qint64 kImageBytes = 128 * 1024 * 1024;
// Decoded 50 megapixels at 4 bytes each, with room.
constexpr int kImageAllocationMegabytes = 256;

bool isCsv(const QString& path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0;
}

bool hasImageSuffix(const QString& path)
{
    const QByteArray suffix = QFileInfo(path).suffix().toLower().toLatin1();
    return !suffix.isEmpty() && QImageReader::supportedImageFormats().contains(suffix);
}

// Text if it has no NUL and decodes as UTF-8 (a cut-off last character allowed).
bool looksLikeText(const QByteArray& bytes, bool cutOff)
{
    if (bytes.contains('\0'))
        return false;
    QByteArray checked = cutOff ? bytes.chopped(std::min<qsizetype>(3, bytes.size())) : bytes;
    return !QString::fromUtf8(checked).contains(QChar::ReplacementCharacter);
}

} // namespace

OutboxPreview::OutboxPreview(QWidget* parent)
    : QWidget(parent)
{
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note->hide();

    m_messageLabel = new QLabel(this);
    m_messageLabel->setAlignment(Qt::AlignCenter);
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_textView = new QPlainTextEdit(this);
    m_textView->setReadOnly(true);
    m_textView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_textView->setLineWrapMode(QPlainTextEdit::NoWrap);

    m_tableModel = new CsvTableModel(this);
    m_tableView = new QTableView(this);
    m_tableView->setModel(m_tableModel);
    m_tableView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tableView->setAlternatingRowColors(true);
    m_tableView->verticalHeader()->setDefaultSectionSize(m_tableView->fontMetrics().height() + 6);

    m_imageLabel = new QLabel;
    m_imageLabel->setAlignment(Qt::AlignCenter);
    m_imageArea = new QScrollArea(this);
    m_imageArea->setWidget(m_imageLabel);
    m_imageArea->setWidgetResizable(true);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_messageLabel);
    m_pages->addWidget(m_textView);
    m_pages->addWidget(m_tableView);
    m_pages->addWidget(m_imageArea);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_note);
    layout->addWidget(m_pages, 1);

    showMessage(tr("Select a file to preview it."));
}

qint64 OutboxPreview::bytesWanted(const app::OutboxFile& file)
{
    if (isCsv(file.path))
        return kTableBytes;
    if (hasImageSuffix(file.path))
        return kImageBytes;
    return kTextLimit;
}

void OutboxPreview::showFile(const app::OutboxFile& file, const QByteArray& bytes)
{
    if (file.size == 0) {
        showMessage(tr("%1 is empty.").arg(file.path));
        return;
    }
    if (isCsv(file.path)) {
        showTable(file, bytes);
        return;
    }
    if (showImage(file, bytes))
        return;
    const bool cutOff = static_cast<quint64>(bytes.size()) < file.size;
    if (looksLikeText(bytes.left(kTextLimit), cutOff || bytes.size() > kTextLimit)) {
        showText(file, bytes);
        return;
    }
    showMessage(tr("No preview for %1 (%L2 bytes). Export it to open it with another program.")
                    .arg(file.path)
                    .arg(file.size));
}

void OutboxPreview::showMessage(const QString& text)
{
    m_kind = Kind::Message;
    m_image = {};
    m_imageLabel->clear();
    m_note->hide();
    m_messageLabel->setText(text);
    m_pages->setCurrentWidget(m_messageLabel);
}

QString OutboxPreview::message() const
{
    return m_kind == Kind::Message ? m_messageLabel->text() : m_note->text();
}

QString OutboxPreview::text() const
{
    return m_textView->toPlainText();
}

QAbstractItemModel* OutboxPreview::tableModel() const
{
    return m_tableModel;
}

void OutboxPreview::setNote(const QString& text)
{
    m_note->setText(text);
    m_note->setVisible(!text.isEmpty());
}

void OutboxPreview::showText(const app::OutboxFile& file, const QByteArray& bytes)
{
    m_kind = Kind::Text;
    QByteArray shown = bytes.left(kTextLimit);
    m_textView->setPlainText(QString::fromUtf8(shown));
    if (static_cast<quint64>(shown.size()) < file.size) {
        setNote(tr("Showing the first %1 of %2.")
                    .arg(QLocale().formattedDataSize(shown.size()),
                        QLocale().formattedDataSize(static_cast<qint64>(file.size))));
    } else {
        setNote({});
    }
    m_pages->setCurrentWidget(m_textView);
}

void OutboxPreview::showTable(const app::OutboxFile& file, const QByteArray& bytes)
{
    m_kind = Kind::Table;
    const bool cutOff = static_cast<quint64>(bytes.size()) < file.size;
    // One more record than the limit: the header row.
    CsvTable table = parseCsv(bytes, kRowLimit + 1, cutOff);
    const bool truncated = table.truncated;
    m_tableModel->setTable(std::move(table));
    m_tableView->resizeColumnsToContents();
    setNote(truncated ? tr("Showing the first %L1 rows of %2.")
                            .arg(m_tableModel->rowCount())
                            .arg(QLocale().formattedDataSize(static_cast<qint64>(file.size)))
                      : tr("%L1 rows.").arg(m_tableModel->rowCount()));
    m_pages->setCurrentWidget(m_tableView);
}

bool OutboxPreview::showImage(const app::OutboxFile& file, const QByteArray& bytes)
{
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    if (!reader.canRead())
        return false;
    const QSize size = reader.size();
    const qint64 pixels = qint64(size.width()) * qint64(size.height());
    if (pixels > kPixelLimit) {
        showMessage(tr("%1 is %L2 × %L3 pixels (%4 megapixels): too large to preview (the limit "
                       "is 50 megapixels). Export it to view it with an image viewer.")
                        .arg(file.path)
                        .arg(size.width())
                        .arg(size.height())
                        .arg(QLocale().toString(double(pixels) / 1e6, 'f', 1)));
        return true;
    }
    reader.setAllocationLimit(kImageAllocationMegabytes);
    QImage image = reader.read();
    if (image.isNull()) {
        showMessage(tr("%1 looks like an image but cannot be shown (%2). Export it to open it "
                       "with an image viewer.")
                        .arg(file.path, reader.errorString()));
        return true;
    }
    m_kind = Kind::Image;
    m_image = std::move(image);
    setNote(tr("%L1 × %L2 pixels.").arg(m_image.width()).arg(m_image.height()));
    m_pages->setCurrentWidget(m_imageArea);
    fitImage();
    return true;
}

void OutboxPreview::fitImage()
{
    if (m_kind != Kind::Image || m_image.isNull())
        return;
    QSize available = m_imageArea->viewport()->size() - QSize(4, 4);
    QImage shown = m_image;
    if (m_image.width() > available.width() || m_image.height() > available.height())
        shown = m_image.scaled(
            available.expandedTo(QSize(16, 16)), Qt::KeepAspectRatio, Qt::SmoothTransformation);
    m_imageLabel->setPixmap(QPixmap::fromImage(shown));
}

void OutboxPreview::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitImage();
}

} // namespace ui
