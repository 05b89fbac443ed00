// airlock-guest: the guest's PID 1, packed as /init into the initramfs (packaging/guest), and
// the small display tools linked to it (GuestTools).
#include "GuestInit.h"
#include "GuestTools.h"

int main(int argc, char** argv)
{
    if (argc > 0) {
        if (vmm::guest::GuestTools::Entry tool = vmm::guest::GuestTools::find(argv[0]))
            return tool(argc, argv);
    }
    return vmm::guest::GuestInit::run(argc, argv);
}
