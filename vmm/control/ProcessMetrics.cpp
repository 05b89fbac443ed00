#include "ProcessMetrics.h"

#include "sys/UniqueFd.h"

#include <cerrno>
#include <charconv>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <unistd.h>

namespace vmm {

namespace {

// The first bytes of a small /proc file (they are generated whole on each read).
Result<std::string> readProcFile(const std::string& path)
{
    UniqueFd fd = VMM_TRY(UniqueFd::open(path.c_str(), O_RDONLY));
    std::string text(8192, '\0');
    size_t filled = 0;
    while (filled < text.size()) {
        ssize_t got = ::read(fd.get(), text.data() + filled, text.size() - filled);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return failure(Error::fromErrno("read", errno, path));
        if (got == 0)
            break;
        filled += static_cast<size_t>(got);
    }
    text.resize(filled);
    return text;
}

bool parseNumber(std::string_view text, uint64_t& value)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end != text.data();
}

// "VmRSS:     1234 kB" -> bytes; 0 when the line is not there.
uint64_t statusKilobytes(std::string_view status, std::string_view key)
{
    size_t at = 0;
    while ((at = status.find(key, at)) != std::string_view::npos) {
        if ((at == 0 || status[at - 1] == '\n') &&
            status.substr(at + key.size()).starts_with(":")) {
            uint64_t kib = 0;
            if (parseNumber(status.substr(at + key.size() + 1), kib))
                return kib * 1024;
            return 0;
        }
        at += key.size();
    }
    return 0;
}

} // namespace

Result<uint64_t> threadCpuTimeNs(pid_t threadId)
{
    std::string task = "/proc/self/task/" + std::to_string(threadId);
    if (auto schedstat = readProcFile(task + "/schedstat")) {
        uint64_t nanoseconds = 0;
        if (parseNumber(*schedstat, nanoseconds))
            return nanoseconds;
    }
    std::string stat = VMM_TRY(readProcFile(task + "/stat"));
    // Fields after the command name (which may hold spaces and parentheses): state is field 3,
    // utime 14 and stime 15.
    size_t close = stat.rfind(')');
    if (close == std::string::npos)
        return failure(Error::invalid("thread stat", "no command name in " + task + "/stat"));
    std::string_view rest = std::string_view(stat).substr(close + 1);
    uint64_t fields[2] {};
    int field = 2;
    size_t at = 0;
    while (field < 15 && at < rest.size()) {
        while (at < rest.size() && rest[at] == ' ')
            ++at;
        size_t end = rest.find(' ', at);
        ++field;
        if (field == 14 || field == 15)
            parseNumber(rest.substr(at, end - at), fields[field - 14]);
        at = end == std::string_view::npos ? rest.size() : end;
    }
    long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        ticks = 100;
    return (fields[0] + fields[1]) * (1'000'000'000 / static_cast<uint64_t>(ticks));
}

uint64_t processCpuTimeNs()
{
    timespec now {};
    if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now) < 0)
        return 0;
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(now.tv_nsec);
}

Result<ProcessMemory> readProcessMemory()
{
    std::string status = VMM_TRY(readProcFile("/proc/self/status"));
    ProcessMemory memory;
    memory.rssBytes = statusKilobytes(status, "VmRSS");
    memory.anonymousBytes = statusKilobytes(status, "RssAnon");
    memory.fileBytes = statusKilobytes(status, "RssFile");
    memory.sharedBytes = statusKilobytes(status, "RssShmem");
    return memory;
}

} // namespace vmm
