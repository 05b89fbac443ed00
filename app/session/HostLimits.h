#pragma once

namespace app {

/// What this computer can give one session: the bounds the new-session dialog and
/// SessionRequest::validate() hold vCPUs and memory to.
struct HostLimits {
    /// vCPUs a session may have: the host's logical cores, capped by what the engine's MP table
    /// describes.
    int maximumVcpus = 1;
    /// Guest memory a session may have, in MiB: half of the host's RAM, so that the desktop and a
    /// second session still fit.
    int maximumMemoryMiB = 256;

    /// The limits of the computer this runs on.
    static HostLimits current();
};

} // namespace app
