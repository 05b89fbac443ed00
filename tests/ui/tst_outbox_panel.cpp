// The outbox panel against a fake OutboxSource: listing, previews (CSV with quoted commas, text,
// image, an oversized image refused), and the export flow driven through its dialog hooks.

#include "OutboxDialogs.h"
#include "OutboxFileModel.h"
#include "OutboxPanel.h"
#include "OutboxPreview.h"
#include "OutboxSource.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace ui;

namespace {

QString sha256(const QByteArray& bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray pngBytes(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(QColor(30, 120, 200));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

/// An outbox in memory; exportFile() writes the bytes like the engine does (or fails).
class FakeOutboxSource : public OutboxSource {
public:
    QMap<QString, QByteArray> files;
    QStringList failing;
    QStringList exportedNames;

    QFuture<app::Result<QList<app::OutboxFile>>> list() override
    {
        QList<app::OutboxFile> listed;
        for (auto it = files.cbegin(); it != files.cend(); ++it) {
            listed.append({it.key(), static_cast<quint64>(it.value().size()), sha256(it.value()),
                QDateTime(QDate(2025, 3, 14), QTime(9, 26))});
        }
        return QtFuture::makeReadyFuture(app::Result<QList<app::OutboxFile>>(listed));
    }

    QFuture<app::Result<app::OutboxExport>> exportFile(
        const QString& name, const QString& destination) override
    {
        using Exported = app::Result<app::OutboxExport>;
        exportedNames.append(name);
        if (failing.contains(name))
            return QtFuture::makeReadyFuture(Exported(app::failure(
                QStringLiteral("The copy of %1 did not match its SHA-256; export it again.")
                    .arg(name))));
        QFile file(destination);
        if (!file.open(QIODevice::WriteOnly) || file.write(files.value(name)) < 0)
            return QtFuture::makeReadyFuture(Exported(app::failure(file.errorString())));
        file.close();
        const QByteArray& bytes = files.value(name);
        return QtFuture::makeReadyFuture(Exported(
            app::OutboxExport {destination, static_cast<quint64>(bytes.size()), sha256(bytes)}));
    }
};

} // namespace

class OutboxPanelTest : public QObject {
    Q_OBJECT

    FakeOutboxSource m_source;
    QTemporaryDir m_destination;
    QList<QList<app::OutboxFile>> m_confirmed;
    QStringList m_overwriteAsked;
    OverwriteChoice m_overwriteAnswer = OverwriteChoice::Skip;
    QList<QList<OutboxExportResult>> m_results;

    OutboxDialogs hooks()
    {
        OutboxDialogs dialogs;
        dialogs.chooseFolder = [this](QWidget*) {
            return m_destination.path();
        };
        dialogs.confirmExport = [this](
                                    QWidget*, const QList<app::OutboxFile>& files, const QString&) {
            m_confirmed.append(files);
            return true;
        };
        dialogs.askOverwrite = [this](QWidget*, const QString& destination) {
            m_overwriteAsked.append(destination);
            return m_overwriteAnswer;
        };
        dialogs.showResults = [this](QWidget*, const QList<OutboxExportResult>& results) {
            m_results.append(results);
        };
        return dialogs;
    }

    void listed(OutboxPanel& panel)
    {
        QSignalSpy refreshed(&panel, &OutboxPanel::refreshed);
        panel.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), 5000);
    }

    void previewOf(OutboxPanel& panel, const QString& path)
    {
        QSignalSpy shown(&panel, &OutboxPanel::previewShown);
        panel.selectFile(path);
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 5000);
    }

private slots:
    void init()
    {
        m_source.files = {
            {QStringLiteral("results/summary.csv"),
                QByteArray("patient,score,note\r\n"
                           "A-17,0.82,\"improved, stable\"\r\n"
                           "B-04,0.41,\"said \"\"fine\"\"\"\r\n"
                           "C-33,0.67,\"two\nlines\"\r\n")},
            {QStringLiteral("notes.txt"), QByteArray("Cohort review\nNo adverse events.\n")},
            {QStringLiteral("plot.png"), pngBytes(64, 48)},
            // A PPM header claiming 10000 × 6000 pixels: 60 megapixels, over the limit.
            {QStringLiteral("huge.ppm"), QByteArray("P6\n10000 6000\n255\n") + QByteArray(64, 'x')},
            {QStringLiteral("model.bin"), QByteArray("\x00\x01\x02\x03", 4)},
        };
        m_source.failing.clear();
        m_source.exportedNames.clear();
        m_confirmed.clear();
        m_overwriteAsked.clear();
        m_results.clear();
        QDir(m_destination.path()).removeRecursively();
        QDir().mkpath(m_destination.path());
    }

    void theListingShowsEachFileWithSizeAndHash()
    {
        OutboxPanel panel(m_source);
        listed(panel);
        OutboxFileModel* model = panel.model();
        QCOMPARE(model->rowCount(), 5);
        const int row = model->rowOf(QStringLiteral("notes.txt"));
        QVERIFY(row >= 0);
        const QByteArray notes = m_source.files.value(QStringLiteral("notes.txt"));
        QCOMPARE(model->index(row, OutboxFileModel::SizeColumn).data().toString(),
            QLocale().formattedDataSize(notes.size()));
        // The hash is elided in the cell and whole in the tooltip.
        const QString cell = model->index(row, OutboxFileModel::HashColumn).data().toString();
        QVERIFY(cell.size() < 64);
        QVERIFY(sha256(notes).startsWith(cell.left(8)));
        QVERIFY(model->index(row, OutboxFileModel::HashColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(sha256(notes)));
        QVERIFY(panel.statusText().contains(QLatin1String("5")));
    }

    void aCsvIsShownAsATableWithQuotedCommasKept()
    {
        OutboxPanel panel(m_source);
        listed(panel);
        previewOf(panel, QStringLiteral("results/summary.csv"));
        QCOMPARE(panel.preview()->kind(), OutboxPreview::Kind::Table);
        QAbstractItemModel* table = panel.preview()->tableModel();
        QCOMPARE(table->columnCount(), 3);
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->headerData(2, Qt::Horizontal).toString(), QStringLiteral("note"));
        QCOMPARE(table->index(0, 2).data().toString(), QStringLiteral("improved, stable"));
        QCOMPARE(table->index(1, 2).data().toString(), QStringLiteral("said \"fine\""));
        QCOMPARE(table->index(2, 2).data().toString(), QStringLiteral("two\nlines"));
        QCOMPARE(table->index(2, 0).data().toString(), QStringLiteral("C-33"));

        panel.resize(900, 520);
        QVERIFY(QDir().mkpath(QStringLiteral(AIRLOCK_SCREENSHOT_DIR)));
        const QString path = QStringLiteral(AIRLOCK_SCREENSHOT_DIR "/outbox-panel-csv.png");
        QVERIFY(panel.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

    void aTextFileIsShownAsText()
    {
        OutboxPanel panel(m_source);
        listed(panel);
        previewOf(panel, QStringLiteral("notes.txt"));
        QCOMPARE(panel.preview()->kind(), OutboxPreview::Kind::Text);
        QCOMPARE(panel.preview()->text(), QStringLiteral("Cohort review\nNo adverse events.\n"));
    }

    void anImageIsShown()
    {
        OutboxPanel panel(m_source);
        listed(panel);
        previewOf(panel, QStringLiteral("plot.png"));
        QCOMPARE(panel.preview()->kind(), OutboxPreview::Kind::Image);
        QCOMPARE(panel.preview()->image().size(), QSize(64, 48));
        QCOMPARE(panel.preview()->image().pixelColor(10, 10), QColor(30, 120, 200));
    }

    void anOversizedImageIsRefusedWithAMessage()
    {
        OutboxPanel panel(m_source);
        listed(panel);
        previewOf(panel, QStringLiteral("huge.ppm"));
        QCOMPARE(panel.preview()->kind(), OutboxPreview::Kind::Message);
        QVERIFY(panel.preview()->image().isNull());
        const QString message = panel.preview()->message();
        QVERIFY2(message.contains(QLatin1String("50 megapixels")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("Export")), qPrintable(message));
    }

    void aBinaryFileHasNoPreviewButItsSize()
    {
        OutboxPanel panel(m_source);
        listed(panel);
        previewOf(panel, QStringLiteral("model.bin"));
        QCOMPARE(panel.preview()->kind(), OutboxPreview::Kind::Message);
        QVERIFY(panel.preview()->message().contains(QLatin1String("No preview")));
        QVERIFY(panel.preview()->message().contains(QLatin1String("4 bytes")));
    }

    void exportWritesTheFileAndMarksIt()
    {
        OutboxPanel panel(m_source);
        panel.setDialogs(hooks());
        listed(panel);
        panel.selectFile(QStringLiteral("results/summary.csv"));
        m_source.exportedNames.clear(); // the preview's copy
        QSignalSpy finished(&panel, &OutboxPanel::exportFinished);
        panel.exportSelected();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);

        QCOMPARE(m_confirmed.size(), 1);
        QCOMPARE(m_confirmed.first().first().path, QStringLiteral("results/summary.csv"));
        QCOMPARE(m_source.exportedNames, QStringList {QStringLiteral("results/summary.csv")});
        QFile written(QDir(m_destination.path()).filePath(QStringLiteral("summary.csv")));
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), m_source.files.value(QStringLiteral("results/summary.csv")));

        QCOMPARE(m_results.size(), 1);
        const OutboxExportResult& result = m_results.first().first();
        QVERIFY(result.exported);
        QCOMPARE(
            result.sha256, sha256(m_source.files.value(QStringLiteral("results/summary.csv"))));
        const int row = panel.model()->rowOf(QStringLiteral("results/summary.csv"));
        QCOMPARE(panel.model()->index(row, OutboxFileModel::ExportedColumn).data().toString(),
            QStringLiteral("Exported"));
        QVERIFY(panel.model()
                    ->index(panel.model()->rowOf(QStringLiteral("notes.txt")),
                        OutboxFileModel::ExportedColumn)
                    .data()
                    .toString()
                    .isEmpty());
        QVERIFY(!panel.isExporting());
    }

    void anExistingFileIsSkippedWhenTheUserSaysSo()
    {
        const QString existing = QDir(m_destination.path()).filePath(QStringLiteral("notes.txt"));
        QFile file(existing);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("mine");
        file.close();
        OutboxPanel panel(m_source);
        panel.setDialogs(hooks());
        listed(panel);
        panel.selectFile(QStringLiteral("notes.txt"));
        m_overwriteAnswer = OverwriteChoice::Skip;
        QSignalSpy finished(&panel, &OutboxPanel::exportFinished);
        panel.exportSelected();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(m_overwriteAsked, QStringList {existing});
        QVERIFY(m_results.first().first().skipped);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("mine"));
    }

    void anExportErrorIsShown()
    {
        m_source.failing = {QStringLiteral("notes.txt")};
        OutboxPanel panel(m_source);
        panel.setDialogs(hooks());
        listed(panel);
        panel.fileView()->selectAll();
        QSignalSpy finished(&panel, &OutboxPanel::exportFinished);
        panel.exportSelected();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        const QList<OutboxExportResult> results = m_results.first();
        QCOMPARE(results.size(), 5);
        int failed = 0;
        for (const OutboxExportResult& result : results) {
            if (result.file.path == QLatin1String("notes.txt")) {
                QVERIFY(!result.exported);
                QVERIFY(result.error.contains(QLatin1String("did not match")));
                ++failed;
            } else {
                QVERIFY2(result.exported, qPrintable(result.error));
            }
        }
        QCOMPARE(failed, 1);
        QVERIFY2(panel.statusText().contains(QLatin1String("notes.txt: The copy of notes.txt did "
                                                           "not match")),
            qPrintable(panel.statusText()));
        QVERIFY(!QFile::exists(QDir(m_destination.path()).filePath(QStringLiteral("notes.txt"))));
    }
};

QTEST_MAIN(OutboxPanelTest)
#include "tst_outbox_panel.moc"
