#pragma once

#include <compare>
#include <cstdint>
#include <optional>

namespace vmm {

/// A guest-physical address: a type of its own so it never mixes with host pointers or sizes.
class GuestAddress {
public:
    constexpr GuestAddress() = default;
    constexpr explicit GuestAddress(uint64_t value)
        : m_value(value)
    {
    }
    constexpr uint64_t value() const { return m_value; }

    /// This address plus `offset`, or nothing when the sum overflows.
    constexpr std::optional<GuestAddress> checkedAdd(uint64_t offset) const
    {
        uint64_t sum = 0;
        if (__builtin_add_overflow(m_value, offset, &sum))
            return std::nullopt;
        return GuestAddress(sum);
    }
    /// This address plus `offset`, for host-chosen constants that cannot overflow.
    constexpr GuestAddress unchecked(uint64_t offset) const { return GuestAddress(m_value + offset); }

    constexpr auto operator<=>(const GuestAddress&) const = default;

private:
    uint64_t m_value = 0;
};

} // namespace vmm
