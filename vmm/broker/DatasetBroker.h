#pragma once

#include "BrokerChannel.h"
#include "GrantKey.h"
#include "dataset/FileOpener.h"
#include "sys/Result.h"

#include <chrono>
#include <memory>
#include <span>
#include <string>

#include <sys/types.h>

namespace vmm {

/// The dataset broker (DESIGN.md §Datasets, hot-add): a small process forked before the sandbox
/// that opens, for the sandboxed VMM, only the datasets the app authorized with an HMAC of the
/// session key, and only beneath them, read-only. Reads of what it opened need no open by the VMM.
class DatasetBroker {
public:
    /// How long a request waits for the broker's answer before failing (never a hang).
    static constexpr std::chrono::milliseconds kReplyTimeout {10'000};

    /// Forks the broker (a SOCK_SEQPACKET socketpair) and waits until it has confined itself;
    /// it keeps a copy of `key`. Call from the main thread (the broker dies with the thread that
    /// forked it) before any other thread starts and before Landlock and seccomp; then wipe the
    /// caller's copy of the key.
    static Result<std::unique_ptr<DatasetBroker>> start(std::span<const uint8_t, 32> key);

    /// Shuts the socket down (the broker exits; its openers fail from now on) and reaps it,
    /// waiting at most about 2 s (never kill(): PDEATHSIG takes it down with the VMM anyway).
    ~DatasetBroker();
    DatasetBroker(const DatasetBroker&) = delete;
    DatasetBroker& operator=(const DatasetBroker&) = delete;

    /// Asks the broker to open `hostPath` (absolute; a folder or one regular file) as dataset
    /// `name`, authorized by `mac` = grantMac(key, name, hostPath). Refused with a message a user
    /// can act on: a wrong mac, an unreadable, vanished or linked path, a broker that stopped.
    /// The source's opener is a BrokerOpener. Thread-safe.
    Result<DatasetSource> grant(
        const std::string& name, const std::string& hostPath, std::span<const uint8_t, 32> mac);

    /// The broker's process id.
    pid_t pid() const { return m_pid; }

private:
    DatasetBroker(std::shared_ptr<BrokerChannel> channel, pid_t pid);

    std::shared_ptr<BrokerChannel> m_channel;
    pid_t m_pid;
};

} // namespace vmm
