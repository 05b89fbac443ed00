#pragma once

namespace vmm {

/// One interrupt input of the guest's interrupt controller, as a device sees it.
class InterruptLine {
public:
    virtual ~InterruptLine() = default;
    /// Drives the line high (asserted) or low.
    virtual void setLevel(bool asserted) = 0;
};

} // namespace vmm
