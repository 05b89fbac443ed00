#include "SeccompFilter.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <sched.h>
#include <seccomp.h>
#include <unistd.h>
#include <vector>

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

namespace vmm {

namespace {

struct FilterReleaser {
    void operator()(void* context) const { seccomp_release(context); }
};
using Filter = std::unique_ptr<void, FilterReleaser>;

// The prctl options a sandboxed main thread may use.
constexpr int kSafePrctlOptions[] = {
    PR_SET_NAME, PR_GET_NAME, PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS, PR_GET_DUMPABLE};

scmp_arg_cmp compare(unsigned argument, scmp_compare operation, uint64_t first, uint64_t second = 0)
{
    return scmp_arg_cmp {argument, operation, first, second};
}

Result<void> addRule(scmp_filter_ctx filter, uint32_t action, const SyscallRule& rule,
    std::initializer_list<scmp_arg_cmp> comparisons = {})
{
    std::vector<scmp_arg_cmp> list(comparisons);
    int result = seccomp_rule_add_array(filter, action, rule.number,
        static_cast<unsigned>(list.size()), list.empty() ? nullptr : list.data());
    // -EEXIST: the same rule from another row (Main holds every kind's rows).
    if (result < 0 && result != -EEXIST)
        return failure(Error::fromErrno("seccomp_rule_add", -result, rule.name));
    return {};
}

Result<void> addIoctls(scmp_filter_ctx filter, const SyscallRule& rule, ThreadKind kind)
{
    for (const IoctlRule& ioctl : ioctlAllowList()) {
        if (!appliesTo(ioctl.kinds, kind))
            continue;
        // The kernel takes the request as an unsigned int: compare the low 32 bits only, so a
        // sign-extended request cannot slip past (or be wrongly refused).
        VMM_TRY(addRule(filter, SCMP_ACT_ALLOW, rule,
            {compare(1, SCMP_CMP_MASKED_EQ, 0xffffffffu, ioctl.request & 0xffffffffu)}));
    }
    return {};
}

Result<void> addRow(scmp_filter_ctx filter, const SyscallRule& rule, ThreadKind kind)
{
    uint64_t self = static_cast<uint64_t>(::getpid());
    switch (rule.argument) {
    case ArgumentRule::Any:
        return addRule(filter, SCMP_ACT_ALLOW, rule);
    case ArgumentRule::IoctlAllowList:
        return addIoctls(filter, rule, kind);
    case ArgumentRule::UnixSocketsOnly:
        return addRule(filter, SCMP_ACT_ALLOW, rule, {compare(0, SCMP_CMP_EQ, AF_UNIX)});
    case ArgumentRule::NoExecutableMemory:
        return addRule(
            filter, SCMP_ACT_ALLOW, rule, {compare(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)});
    case ArgumentRule::ReadOnlyOpen: {
        uint64_t writing = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;
        return addRule(
            filter, SCMP_ACT_ALLOW, rule, {compare(2, SCMP_CMP_MASKED_EQ, writing, O_RDONLY)});
    }
    case ArgumentRule::ThreadsOnly: {
        uint64_t thread = CLONE_THREAD | CLONE_VM;
        return addRule(
            filter, SCMP_ACT_ALLOW, rule, {compare(0, SCMP_CMP_MASKED_EQ, thread, thread)});
    }
    case ArgumentRule::OwnProcessOnly:
        return addRule(filter, SCMP_ACT_ALLOW, rule, {compare(0, SCMP_CMP_EQ, self)});
    case ArgumentRule::SafePrctl:
        for (int option : kSafePrctlOptions)
            VMM_TRY(addRule(filter, SCMP_ACT_ALLOW, rule,
                {compare(0, SCMP_CMP_EQ, static_cast<uint64_t>(option))}));
        return {};
    case ArgumentRule::FailWithEnosys:
        return addRule(filter, SCMP_ACT_ERRNO(ENOSYS), rule);
    }
    return {};
}

} // namespace

Result<void> installSyscallFilter(ThreadKind kind)
{
    Filter filter(seccomp_init(SCMP_ACT_KILL_PROCESS));
    if (!filter)
        return failure(Error::invalid("seccomp_init", "libseccomp could not start a filter"));
    // A syscall made through another ABI (int 0x80, x32) must not get around the list.
    int result = seccomp_attr_set(filter.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (result == 0)
        result = seccomp_attr_set(filter.get(), SCMP_FLTATR_CTL_NNP, 1);
    if (result == 0)
        result = seccomp_attr_set(filter.get(), SCMP_FLTATR_CTL_TSYNC, 0);
    if (result < 0)
        return failure(Error::fromErrno("seccomp_attr_set", -result));

    bool ioctlsAdded = false;
    for (const SyscallRule& rule : syscallAllowList()) {
        if (!appliesTo(rule.kinds, kind))
            continue;
        // Main holds several ioctl rows; one pass over the ioctl table covers them all.
        if (rule.argument == ArgumentRule::IoctlAllowList) {
            if (ioctlsAdded)
                continue;
            ioctlsAdded = true;
        }
        auto added = addRow(filter.get(), rule, kind);
        if (!added)
            return failure(
                added.error().withContext(std::string(threadKindName(kind)) + " filter"));
    }
    result = seccomp_load(filter.get());
    if (result < 0)
        return failure(Error::fromErrno("seccomp_load", -result, threadKindName(kind)));
    return {};
}

std::vector<std::string> allowedSyscallNames(ThreadKind kind)
{
    std::vector<std::string> names;
    for (const SyscallRule& rule : syscallAllowList()) {
        if (appliesTo(rule.kinds, kind) && rule.argument != ArgumentRule::FailWithEnosys &&
            std::find(names.begin(), names.end(), rule.name) == names.end())
            names.emplace_back(rule.name);
    }
    return names;
}

} // namespace vmm
