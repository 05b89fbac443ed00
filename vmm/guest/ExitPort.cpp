#include "ExitPort.h"

#include "devices/GuestExitPort.h"

#include <sys/io.h>

namespace vmm::guest {

bool ExitPort::report(uint8_t status)
{
    // ioperm needs CAP_SYS_RAWIO, which PID 1 (root) has; a plain out needs no device file.
    if (::ioperm(kGuestExitPortAddress, 1, 1) < 0)
        return false;
    ::outb(status, kGuestExitPortAddress);
    return true;
}

} // namespace vmm::guest
