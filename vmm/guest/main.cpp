// airlock-guest: the guest's PID 1, packed as /init into the initramfs (packaging/guest).
#include "GuestInit.h"

int main(int argc, char** argv)
{
    return vmm::guest::GuestInit::run(argc, argv);
}
