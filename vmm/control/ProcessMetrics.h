#pragma once

#include "sys/Result.h"

#include <cstdint>

#include <sys/types.h>

namespace vmm {

/// This process's resident memory, from /proc/self/status.
struct ProcessMemory {
    uint64_t rssBytes = 0; ///< VmRSS
    uint64_t anonymousBytes = 0; ///< RssAnon
    uint64_t fileBytes = 0; ///< RssFile
    uint64_t sharedBytes = 0; ///< RssShmem
};

/// CPU time thread `threadId` of this process has run, in ns (/proc/self/task/<tid>/schedstat,
/// or utime + stime of its stat file where schedstats are off).
Result<uint64_t> threadCpuTimeNs(pid_t threadId);
/// CPU time of the whole process so far, in ns.
uint64_t processCpuTimeNs();
/// This process's resident memory now.
Result<ProcessMemory> readProcessMemory();

} // namespace vmm
