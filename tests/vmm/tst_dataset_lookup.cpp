// Names as the guest kernel finds them. Linux looks a name up in an EROFS directory by binary
// search across its blocks and then within one (fs/erofs/namei.c); erofs-utils searches linearly,
// so fsck.erofs cannot tell a misordered directory from a good one. These tests find every name
// with the kernel's own algorithm: names that sort before ".", prefixes of other names, bytes
// above 0x7f, 255-byte names, folders over many blocks and 100,000 files.

#include "dataset/ErofsImage.h"
#include "tst_dataset_support.h"

#include <set>

#include <sys/stat.h>

#include <QTest>

using namespace datasettest;
using vmm::ErofsImage;

namespace {

std::vector<std::string> awkwardNames()
{
    std::vector<std::string> names = {"a", "a.", "a b", "ab", "A", "!", " leading space", "-", "+",
        "~", "\x7f", "é", "e\xcc\x81", "日本語", "\xff\xfe not UTF-8", "a\x80",
        std::string(255, 'n'), std::string(254, 'n'), "same-prefix-1", "same-prefix-10",
        "same-prefix-2", "..."};
    for (int index = 0; index < 3000; ++index)
        names.push_back("entry-" + std::to_string(index * 7 % 3000));
    return names;
}

} // namespace

class DatasetLookupTest : public QObject {
    Q_OBJECT

private:
    // Every name of `names` in the root of `image` is found and leads to its own file.
    void checkAllFound(ErofsImage& image, const std::vector<std::string>& names)
    {
        KernelStyleReader reader(image);
        auto root = reader.inode(reader.rootNid());
        QVERIFY(root);
        std::set<uint64_t> nids;
        for (const std::string& name : names) {
            auto nid = reader.lookup(*root, name);
            QVERIFY2(nid, ("not found: " + name).c_str());
            auto inode = reader.inode(*nid);
            QVERIFY(inode && S_ISREG(inode->mode));
            auto bytes = reader.data(*inode, 0, inode->size);
            QCOMPARE(std::string(bytes.begin(), bytes.end()), name);
            nids.insert(*nid);
        }
        QCOMPARE(nids.size(), names.size());
        for (const char* absent : {"zzz", "a.b", "entry-99999", "aa", "same-prefix-", "B"})
            QVERIFY2(!reader.lookup(*root, absent), absent);
        QVERIFY2(!reader.overran(), "a lookup compared past the page that holds the directory");
    }

private slots:
    void awkwardNamesAreFoundByTheKernelsSearch()
    {
        TemporaryFolder folder;
        std::vector<std::string> names = awkwardNames();
        for (const std::string& name : names)
            QVERIFY(makeFile(folder.path(name), name));
        auto image = ErofsImage::create(folder.path().string());
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        checkAllFound(**image, names);

        // readdir lists them in byte order, "." and ".." in their place among them.
        KernelStyleReader reader(**image);
        auto root = reader.inode(reader.rootNid());
        std::vector<std::string> expected = names;
        expected.push_back(".");
        expected.push_back("..");
        std::sort(expected.begin(), expected.end());
        QCOMPARE(reader.list(*root), expected);
        QCOMPARE(reader.lookup(*root, "."), reader.rootNid());
        QCOMPARE(reader.lookup(*root, ".."), reader.rootNid());
        QVERIFY(root->size > 10 * vmm::erofs::kBlockSize);
    }

    void hundredThousandNamesAreAllFound()
    {
        TemporaryFolder folder;
        std::vector<std::string> names;
        for (int index = 0; index < 100'000; ++index) {
            names.push_back(std::to_string(index * 7919 % 100'000) + ".dat");
            QVERIFY(makeFile(folder.path(names.back()), names.back()));
        }
        auto image = ErofsImage::create(folder.path().string());
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        checkAllFound(**image, names);
    }

    void smallFoldersAreInlineAndLinkCountsAreRight()
    {
        TemporaryFolder folder;
        fs::path root = folder.path();
        fs::create_directories(root / "parent" / "child one");
        fs::create_directories(root / "parent" / "child two");
        fs::create_directories(root / "parent" / "empty");
        QVERIFY(makeFile(root / "parent" / "file", "f"));
        fs::permissions(root / "parent" / "file", fs::perms::owner_read | fs::perms::group_read);
        auto image = ErofsImage::create(root.string());
        QVERIFY(image);
        KernelStyleReader reader(**image);
        auto parent = reader.resolve("parent");
        QVERIFY(parent && S_ISDIR(parent->mode));
        QCOMPARE(parent->links, 5u); // ".", its entry in the root, and three subfolders' ".."
        QCOMPARE(parent->layout, vmm::erofs::EROFS_INODE_FLAT_INLINE);
        auto empty = reader.resolve("parent/empty");
        QVERIFY(empty);
        QCOMPARE(reader.list(*empty), (std::vector<std::string> {".", ".."}));
        QCOMPARE(reader.lookup(*empty, ".."), parent->nid);
        auto file = reader.resolve("parent/file");
        QVERIFY(file);
        QCOMPARE(file->mode & 07777, 0440);
        QVERIFY(!file->extended);
    }
};

QTEST_GUILESS_MAIN(DatasetLookupTest)
#include "tst_dataset_lookup.moc"
