#pragma once

#include <cstdint>

namespace vmm::guest {

/// The guest side of Airlock's guest exit port (vmm/devices/GuestExitPort.h): one byte written
/// to I/O port kGuestExitPortAddress tells the VMM the session's status and stops the machine.
class ExitPort {
public:
    /// Writes `status` to the port. Under Airlock's VMM this does not return; elsewhere (QEMU)
    /// the write goes nowhere and it returns. False when the port could not be reached.
    static bool report(uint8_t status);
};

} // namespace vmm::guest
