#include "DatasetFixture.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <unistd.h>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>

extern char** environ;

namespace {

constexpr uint64_t kMiB = uint64_t {1} << 20;
constexpr uint64_t kHugeBytes = uint64_t {10} << 30;
constexpr uint64_t kSmallBytes = 10 * 1024;

bool fail(const std::string& what)
{
    std::fprintf(stderr, "dataset-bench: %s\n", what.c_str());
    return false;
}

// Writes `bytes` bytes of xorshift64* output: fast on an emulated CPU, and incompressible enough
// that no layer can shortcut the reads.
bool writeRandomFile(const std::string& path, uint64_t bytes, uint64_t seed)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail("cannot create " + path + ": " + std::strerror(errno));
    std::vector<uint64_t> chunk(kMiB / sizeof(uint64_t));
    uint64_t state = seed | 1;
    bool written = true;
    for (uint64_t done = 0; written && done < bytes;) {
        for (uint64_t& word : chunk) {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            word = state * 0x2545F4914F6CDD1Dull;
        }
        size_t count = static_cast<size_t>(std::min<uint64_t>(kMiB, bytes - done));
        written = ::write(fd, chunk.data(), count) == static_cast<ssize_t>(count);
        done += count;
    }
    if (::close(fd) != 0 || !written)
        return fail("cannot write " + path + ": " + std::strerror(errno));
    return true;
}

bool writeSparseFile(const std::string& path, uint64_t bytes)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail("cannot create " + path + ": " + std::strerror(errno));
    bool sized = ::ftruncate(fd, static_cast<off_t>(bytes)) == 0 &&
        ::pwrite(fd, "end", 3, static_cast<off_t>(bytes - 3)) == 3;
    ::close(fd);
    return sized || fail("cannot size " + path + ": " + std::strerror(errno));
}

bool writeText(const std::string& path, const std::string& text)
{
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    return file.good() || fail("cannot write " + path);
}

bool runTool(const std::vector<std::string>& command)
{
    std::vector<char*> argv;
    for (const std::string& word : command)
        argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
    if (spawned != 0)
        return fail("cannot start " + command[0] + ": " + std::strerror(spawned));
    int status = 0;
    if (::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fail(command[0] + " failed on " + command.back());
    return true;
}

// mkfs.erofs with plain (uncompressed) data, as airlock-vmm synthesizes it; fixed timestamps and
// root ownership so the image does not depend on the host.
bool makeErofs(const std::string& image, const std::string& folder)
{
    return runTool({"mkfs.erofs", "--quiet", "-T0", "--all-root", image, folder});
}

} // namespace

std::optional<DatasetFixture> DatasetFixture::create(const std::string& parent,
    const std::string& readerProgram, uint64_t fileMiB, uint64_t randomReads)
{
    std::string pattern = parent + "/airlock-dataset-bench.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        fail("cannot create a folder in " + parent + ": " + std::strerror(errno));
        return std::nullopt;
    }
    DatasetFixture fixture(pattern);
    std::error_code error;
    std::filesystem::create_directory(fixture.dataFolder(), error);
    std::filesystem::create_directory(fixture.toolsFolder(), error);
    std::filesystem::copy_file(readerProgram, fixture.toolsFolder() + "/dataset-reader", error);
    if (error) {
        fail("cannot copy " + readerProgram + ": " + error.message());
        return std::nullopt;
    }
    // Datasets are mounted noexec: the reader runs from the guest's /tmp (its initramfs root).
    // First the data disk's queue limits, which explain a sequential figure.
    const std::string script =
        "for s in /sys/block/vd*; do [ \"$(cat $s/serial)\" = airlock-ds0 ] && q=$s/queue; done\n"
        "echo dataset-queue: max_sectors_kb=$(cat $q/max_sectors_kb)"
        " max_segments=$(cat $q/max_segments) max_segment_size=$(cat $q/max_segment_size)"
        " read_ahead_kb=$(cat $q/read_ahead_kb)\n"
        "mkdir -p /tmp && cp /datasets/tools/dataset-reader /tmp/dataset-reader"
        " && chmod 755 /tmp/dataset-reader || exit 3\n"
        "exec /tmp/dataset-reader /datasets/data/random.bin " +
        std::to_string(randomReads) + "\n";
    if (!writeText(fixture.toolsFolder() + "/run.sh", script) ||
        !writeRandomFile(
            fixture.dataFolder() + "/random.bin", fileMiB * kMiB, 0x9e3779b97f4a7c15ull) ||
        !writeRandomFile(fixture.smallFile(), kSmallBytes, 42) ||
        !writeSparseFile(fixture.hugeFile(), kHugeBytes) ||
        !makeErofs(fixture.dataImage(), fixture.dataFolder()) ||
        !makeErofs(fixture.toolsImage(), fixture.toolsFolder()))
        return std::nullopt;
    return fixture;
}

DatasetFixture::DatasetFixture(DatasetFixture&& other) noexcept
    : m_root(std::move(other.m_root))
{
    other.m_root.clear();
}

DatasetFixture::~DatasetFixture()
{
    if (m_root.empty())
        return;
    std::error_code ignored;
    std::filesystem::remove_all(m_root, ignored);
}
