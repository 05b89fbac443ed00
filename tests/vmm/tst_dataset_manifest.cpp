// The SHA-256 manifest the audit trail records for a dataset: known hashes, a digest that depends
// on the files and not on how the host lists them, the documented canonical form, JSON an auditor
// can read, a re-check that reports changed, vanished and added files, and hashing on a
// background thread while the image is being served.

#include "dataset/ErofsImage.h"
#include "dataset/Manifest.h"
#include "tst_dataset_support.h"

#include <thread>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace datasettest;
using vmm::Manifest;

namespace {

// The canonical form Manifest.h documents, computed independently with Qt.
QByteArray documentedDigest(const Manifest& manifest)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayView("airlock-dataset-manifest-v1\n"));
    auto addNumber = [&](uint64_t value) {
        char bytes[8];
        for (int index = 0; index < 8; ++index)
            bytes[index] = static_cast<char>(value >> (8 * index));
        hash.addData(QByteArrayView(bytes, 8));
    };
    for (const vmm::ManifestEntry& entry : manifest.entries()) {
        addNumber(entry.path.size());
        hash.addData(QByteArrayView(entry.path.data(), static_cast<qsizetype>(entry.path.size())));
        addNumber(entry.size);
        hash.addData(QByteArrayView(reinterpret_cast<const char*>(entry.sha256.data()), 32));
    }
    return hash.result().toHex();
}

Manifest computed(const fs::path& path)
{
    auto manifest = Manifest::compute(path.string());
    if (!manifest)
        qFatal("%s", manifest.error().message().c_str());
    return std::move(manifest).value();
}

} // namespace

class DatasetManifestTest : public QObject {
    Q_OBJECT

private slots:
    void filesHaveTheirKnownSha256()
    {
        TemporaryFolder folder;
        fs::path root = folder.path("dataset");
        fs::create_directories(root / "sub dir");
        QVERIFY(makeFile(root / "abc.txt", "abc"));
        QVERIFY(makeFile(root / "empty", ""));
        // More than FileHasher's buffer: the hash is streamed over several reads.
        QVERIFY(makeFile(root / "sub dir" / "million a", std::string(1'000'000, 'a')));
        QVERIFY(makeFile(folder.path("outside.txt"), "not in the dataset"));
        fs::create_symlink("../outside.txt", root / "link out");

        Manifest manifest = computed(root);
        const auto& entries = manifest.entries();
        QCOMPARE(entries.size(), size_t {3});
        QCOMPARE(entries[0].path, std::string("abc.txt"));
        QCOMPARE(vmm::toHex(entries[0].sha256),
            std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(entries[0].size, 3u);
        QCOMPARE(entries[1].path, std::string("empty"));
        QCOMPARE(vmm::toHex(entries[1].sha256),
            std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(entries[2].path, std::string("sub dir/million a"));
        QCOMPARE(vmm::toHex(entries[2].sha256),
            std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
        QCOMPARE(manifest.totalBytes(), 1'000'003u);
        QCOMPARE(QByteArray::fromStdString(manifest.digestHex()), documentedDigest(manifest));
    }

    void digestIsStableAndIndependentOfListingOrder()
    {
        TemporaryFolder first;
        TemporaryFolder second;
        std::vector<std::string> names;
        for (int index = 0; index < 200; ++index)
            names.push_back("file-" + std::to_string(index * 37 % 200));
        fs::create_directory(first.path("d"));
        fs::create_directory(second.path("d"));
        for (const std::string& name : names)
            QVERIFY(makeFile(first.path("d") / name, name + " contents"));
        // The same files created in the opposite order: another inode and listing order.
        for (auto name = names.rbegin(); name != names.rend(); ++name)
            QVERIFY(makeFile(second.path("d") / *name, *name + " contents"));

        Manifest a = computed(first.path("d"));
        Manifest b = computed(second.path("d"));
        QCOMPARE(a.digestHex(), b.digestHex());
        QCOMPARE(computed(first.path("d")).digestHex(), a.digestHex());
        QVERIFY(std::is_sorted(a.entries().begin(), a.entries().end(),
            [](const auto& x, const auto& y) { return x.path < y.path; }));

        QVERIFY(makeFile(second.path("d") / "file-7", "file-8 contents"));
        QVERIFY(computed(second.path("d")).digestHex() != a.digestHex());
    }

    void verifyReportsChangedVanishedAndAddedFiles()
    {
        TemporaryFolder folder;
        fs::path root = folder.path();
        fs::create_directory(root / "sub");
        QVERIFY(makeFile(root / "same.txt", "same"));
        QVERIFY(makeFile(root / "edited.txt", "version 1"));
        QVERIFY(makeFile(root / "sub" / "removed.txt", "bye"));
        QVERIFY(makeFile(root / "touched.txt", "only the mtime changes"));
        Manifest manifest = computed(root);
        auto unchanged = manifest.verify();
        QVERIFY(unchanged && unchanged->isEmpty());

        QVERIFY(makeFile(root / "edited.txt", "version 2")); // same size, other bytes
        fs::remove(root / "sub" / "removed.txt");
        QVERIFY(makeFile(root / "sub" / "new.txt", "hello"));
        fs::last_write_time(
            root / "touched.txt", fs::file_time_type::clock::now() + std::chrono::hours(1));

        auto differences = manifest.verify();
        QVERIFY2(differences, differences ? "" : differences.error().message().c_str());
        QCOMPARE(differences->changed, std::vector<std::string> {"edited.txt"});
        QCOMPARE(differences->vanished, std::vector<std::string> {"sub/removed.txt"});
        QCOMPARE(differences->added, std::vector<std::string> {"sub/new.txt"});
    }

    void jsonListsEveryFileForTheAuditTrail()
    {
        TemporaryFolder folder;
        fs::path root = folder.path("scans");
        fs::create_directory(root);
        QVERIFY(makeFile(root / "ünïcode.txt", "u"));
        QVERIFY(makeFile(root / std::string("latin1-\xe9.txt"), "not UTF-8"));
        Manifest manifest = computed(root);

        QJsonParseError error;
        QJsonDocument document =
            QJsonDocument::fromJson(QByteArray::fromStdString(manifest.toJson()), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QJsonObject object = document.object();
        QCOMPARE(object["name"].toString(), QStringLiteral("scans"));
        QCOMPARE(object["digest"].toString().toStdString(), manifest.digestHex());
        QCOMPARE(object["fileCount"].toInt(), 2);
        QJsonArray files = object["files"].toArray();
        QCOMPARE(files.size(), 2);
        QJsonObject latin1 = files[0].toObject();
        QCOMPARE(latin1["pathHex"].toString(), QStringLiteral("6c6174696e312de92e747874"));
        QJsonObject unicode = files[1].toObject();
        QCOMPARE(unicode["path"].toString(), QStringLiteral("ünïcode.txt"));
        QVERIFY(!unicode.contains("pathHex"));
        QCOMPARE(unicode["size"].toInt(), 1);
        QCOMPARE(
            unicode["sha256"].toString().toStdString(), vmm::toHex(manifest.entries()[1].sha256));
    }

    void hashesInTheBackgroundWhileTheImageIsServed()
    {
        TemporaryFolder folder;
        fs::path root = folder.path();
        for (int index = 0; index < 64; ++index)
            QVERIFY(makeFile(root / ("part-" + std::to_string(index)),
                std::string(300'000, static_cast<char>(index))));
        auto image = vmm::ErofsImage::create(root.string());
        QVERIFY(image);

        vmm::Result<Manifest> background = vmm::failure(vmm::Error::invalid("test", "not run"));
        std::shared_ptr<const vmm::ScannedTree> tree = (*image)->tree();
        std::jthread hashing([&] { background = Manifest::compute(*tree); });
        std::vector<uint8_t> chunk(1 << 20);
        for (uint64_t offset = 0; offset < (*image)->sizeBytes(); offset += chunk.size()) {
            size_t count = static_cast<size_t>(
                std::min<uint64_t>(chunk.size(), (*image)->sizeBytes() - offset));
            QVERIFY((*image)->read(offset, std::span(chunk.data(), count)));
        }
        hashing.join();
        QVERIFY2(background, background ? "" : background.error().message().c_str());
        QCOMPARE(background->entries().size(), size_t {64});
        QCOMPARE(background->digestHex(), computed(root).digestHex());
        QVERIFY((*image)->changes().empty());

        std::stop_source stop;
        stop.request_stop();
        auto cancelled = Manifest::compute(*tree, stop.get_token());
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().errnoValue(), ECANCELED);
    }
};

QTEST_GUILESS_MAIN(DatasetManifestTest)
#include "tst_dataset_manifest.moc"
