#include "Msrs.h"

namespace vmm::x86_64 {

std::vector<MsrValue> bootMsrs()
{
    return {
        { kMsrIa32SysenterCs, 0 },
        { kMsrIa32SysenterEsp, 0 },
        { kMsrIa32SysenterEip, 0 },
        { kMsrStar, 0 },
        { kMsrCstar, 0 },
        { kMsrKernelGsBase, 0 },
        { kMsrSyscallMask, 0 },
        { kMsrLstar, 0 },
        { kMsrIa32Tsc, 0 },
        { kMsrIa32MiscEnable, kMiscEnableFastStrings },
        { kMsrMtrrDefType, kMtrrEnable | kMtrrTypeWriteBack },
    };
}

} // namespace vmm::x86_64
