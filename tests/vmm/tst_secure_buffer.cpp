// The memory that holds the scratch key: if it could be swapped, dumped or inherited by a child,
// or were not zero after a wipe, the crypto-erase promised to the user would be a story. The
// kernel's own view (/proc/self/smaps VmFlags) is the check, not the class's word.

#include "scratch/SecureBuffer.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <unistd.h>

#include <sys/wait.h>

#include <QFile>
#include <QTest>

using namespace vmm;

namespace {

SecureBuffer makeBuffer(size_t size)
{
    auto buffer = SecureBuffer::create(size);
    if (!buffer)
        qFatal("%s", buffer.error().message().c_str());
    return std::move(buffer).value();
}

// The VmFlags line of the mapping that contains `address`, from /proc/self/smaps.
QByteArray vmFlagsOf(const void* address)
{
    QFile smaps("/proc/self/smaps");
    if (!smaps.open(QIODevice::ReadOnly))
        return {};
    // Safety: the pointer is only compared with the address ranges smaps lists, never followed.
    auto target = reinterpret_cast<uintptr_t>(address);
    bool inside = false;
    for (const QByteArray& line : smaps.readAll().split('\n')) {
        qsizetype dash = line.indexOf('-');
        qsizetype space = line.indexOf(' ');
        if (dash > 0 && space > dash && !line.left(space).endsWith(':')) {
            // A mapping's header line: "start-end perms offset dev inode path".
            bool okStart = false;
            bool okEnd = false;
            uintptr_t start = line.left(dash).toULongLong(&okStart, 16);
            uintptr_t end = line.mid(dash + 1, space - dash - 1).toULongLong(&okEnd, 16);
            inside = okStart && okEnd && target >= start && target < end;
        } else if (inside && line.startsWith("VmFlags:")) {
            return line;
        }
    }
    return {};
}

} // namespace

class SecureBufferTest : public QObject {
    Q_OBJECT

private slots:
    void startsZeroedWithTheAskedSize()
    {
        SecureBuffer buffer = makeBuffer(64);
        QCOMPARE(buffer.size(), size_t {64});
        QCOMPARE(buffer.bytes().size(), size_t {64});
        QVERIFY(buffer.isAllZero());
    }

    void wipeLeavesOnlyZeroes()
    {
        SecureBuffer buffer = makeBuffer(64);
        std::fill(buffer.bytes().begin(), buffer.bytes().end(), uint8_t {0xa5});
        QVERIFY(!buffer.isAllZero());
        buffer.wipe();
        QVERIFY(buffer.isAllZero());
        // The span is still usable after a wipe (a wipe is not a release).
        buffer.bytes()[63] = 1;
        QVERIFY(!buffer.isAllZero());
    }

    void kernelSeesItExcludedFromDumpsWipedOnForkAndLocked()
    {
        SecureBuffer buffer = makeBuffer(64);
        QByteArray flags = vmFlagsOf(buffer.bytes().data());
        QVERIFY2(!flags.isEmpty(), "no mapping in /proc/self/smaps holds the buffer");
        QVERIFY2(flags.contains(" dd"), flags.constData()); // MADV_DONTDUMP
        QVERIFY2(flags.contains(" wf"), flags.constData()); // MADV_WIPEONFORK
        // What isLocked() reports must be what the kernel did ("lo": VM_LOCKED).
        QCOMPARE(flags.contains(" lo"), buffer.isLocked());
        if (!buffer.isLocked())
            qInfo("mlock was refused (RLIMIT_MEMLOCK); isLocked() says so");
    }

    void aForkedChildSeesOnlyZeroes()
    {
        SecureBuffer buffer = makeBuffer(64);
        std::fill(buffer.bytes().begin(), buffer.bytes().end(), uint8_t {0x5a});
        pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0)
            ::_exit(buffer.isAllZero() ? 0 : 1);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
        QCOMPARE(buffer.bytes()[0], uint8_t {0x5a}); // the parent keeps its secret
    }

    void moveTransfersTheSecret()
    {
        SecureBuffer first = makeBuffer(32);
        first.bytes()[0] = 7;
        uint8_t* address = first.bytes().data();
        SecureBuffer second = std::move(first);
        QCOMPARE(second.bytes().data(), address);
        QCOMPARE(second.bytes()[0], uint8_t {7});
        QVERIFY(first.bytes().empty()); // NOLINT(bugprone-use-after-move): the moved-from state
        second.reset();
        QVERIFY(second.bytes().empty());
    }

    void refusesUselessSizes()
    {
        QVERIFY(!SecureBuffer::create(0));
        QVERIFY(!SecureBuffer::create(SecureBuffer::kMaximumSize + 1));
        auto pages = SecureBuffer::create(5000);
        QVERIFY2(pages, pages ? "" : pages.error().message().c_str());
        QCOMPARE(pages->size(), size_t {5000});
    }
};

QTEST_GUILESS_MAIN(SecureBufferTest)
#include "tst_secure_buffer.moc"
