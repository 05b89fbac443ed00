// dataset-reader: the guest half of the dataset benchmark. Busybox has no fio, its `date` has no
// sub-second clock and its `dd` prints no timing, so this small static program (shipped in the
// benchmark's "tools" dataset and copied to the guest's /tmp, datasets being noexec) times the
// reads itself with CLOCK_MONOTONIC:
//
//   dataset-reader FILE RANDOM_READS
//
// 1. drops the guest's page cache, then reads FILE from start to end in 1 MiB read() calls
//    (buffered, so the kernel's readahead works as it would for any program);
// 2. drops the page cache again, then reads RANDOM_READS distinct 4 KiB blocks of FILE at random
//    offsets with O_DIRECT (or, when the filesystem refuses O_DIRECT, buffered with readahead
//    off: every offset is distinct, so every read still reaches the disk).
//
// It prints one line per measurement, "dataset-reader: seq bytes=N ns=T" and
// "dataset-reader: rand reads=N ns=T mode=direct|buffered", then "dataset-reader: done".

#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

namespace {

constexpr size_t kSequentialChunk = size_t {1} << 20;
constexpr size_t kBlock = 4096;
constexpr int64_t kRandomTimeLimitNs = 20'000'000'000; // stop early on a very slow disk

int64_t nowNs()
{
    timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return int64_t {now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

bool dropCaches()
{
    ::sync();
    int fd = ::open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool written = ::write(fd, "3\n", 2) == 2;
    ::close(fd);
    return written;
}

bool readSequentially(const char* path)
{
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        std::printf("dataset-reader: cannot open %s: %s\n", path, std::strerror(errno));
        return false;
    }
    static char buffer[kSequentialChunk];
    uint64_t total = 0;
    int64_t start = nowNs();
    for (;;) {
        ssize_t count = ::read(fd, buffer, sizeof buffer);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0) {
            std::printf(
                "dataset-reader: read failed at %" PRIu64 ": %s\n", total, std::strerror(errno));
            ::close(fd);
            return false;
        }
        if (count == 0)
            break;
        total += static_cast<uint64_t>(count);
    }
    int64_t elapsed = nowNs() - start;
    ::close(fd);
    std::printf("dataset-reader: seq bytes=%" PRIu64 " ns=%" PRId64 "\n", total, elapsed);
    return true;
}

bool readRandomly(const char* path, uint64_t wanted)
{
    struct stat status { };
    if (::stat(path, &status) != 0 || status.st_size < static_cast<off_t>(kBlock)) {
        std::printf("dataset-reader: %s is missing or smaller than one block\n", path);
        return false;
    }
    const uint64_t blocks = static_cast<uint64_t>(status.st_size) / kBlock;
    if (wanted > blocks)
        wanted = blocks;

    const char* mode = "direct";
    int fd = ::open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
    void* buffer = nullptr;
    if (::posix_memalign(&buffer, kBlock, kBlock) != 0)
        return false;
    if (fd >= 0 && ::pread(fd, buffer, kBlock, 0) != static_cast<ssize_t>(kBlock)) {
        ::close(fd);
        fd = -1;
    }
    if (fd < 0) {
        mode = "buffered";
        fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::printf("dataset-reader: cannot open %s: %s\n", path, std::strerror(errno));
            std::free(buffer);
            return false;
        }
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
    }
    dropCaches(); // also forgets the probe read above

    // Block i of the walk is (stride * i + offset) mod blocks: with the stride coprime to the
    // block count, the first `blocks` steps visit each block once, so no read hits the cache.
    uint64_t stride = 2654435761u % blocks;
    if (stride == 0)
        stride = 1;
    auto coprime = [&](uint64_t a, uint64_t b) {
        while (b != 0) {
            uint64_t rest = a % b;
            a = b;
            b = rest;
        }
        return a == 1;
    };
    while (!coprime(stride, blocks))
        stride = stride % blocks + 1; // reaches 1 at the latest, which is coprime to anything
    const uint64_t offset = blocks / 3;

    uint64_t done = 0;
    int64_t start = nowNs();
    for (; done < wanted; ++done) {
        uint64_t block = (stride * done + offset) % blocks;
        if (::pread(fd, buffer, kBlock, static_cast<off_t>(block * kBlock)) !=
            static_cast<ssize_t>(kBlock)) {
            std::printf("dataset-reader: random read of block %" PRIu64 " failed: %s\n", block,
                std::strerror(errno));
            break;
        }
        if ((done & 63) == 63 && nowNs() - start > kRandomTimeLimitNs) {
            ++done;
            break;
        }
    }
    int64_t elapsed = nowNs() - start;
    ::close(fd);
    std::free(buffer);
    std::printf(
        "dataset-reader: rand reads=%" PRIu64 " ns=%" PRId64 " mode=%s\n", done, elapsed, mode);
    return done > 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::printf("usage: dataset-reader FILE RANDOM_READS\n");
        return 2;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    if (!dropCaches())
        std::printf("dataset-reader: cannot drop the page cache: %s\n", std::strerror(errno));
    if (!readSequentially(argv[1]))
        return 1;
    if (!readRandomly(argv[1], std::strtoull(argv[2], nullptr, 10)))
        return 1;
    std::printf("dataset-reader: done\n");
    return 0;
}
