#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <vector>

namespace vmm::x86_64 {

/// Most vCPUs the MP table (and the guest kernel's NR_CPUS) describes.
inline constexpr uint32_t kMaxVcpus = 32;

/// Builds the Intel MultiProcessor Specification 1.4 tables (floating pointer followed by the
/// configuration table) to be placed at `tableAddress`: one processor entry per vCPU, the ISA
/// bus, the in-kernel IOAPIC with every pin routed 1:1 from ISA IRQs (KVM's default routing),
/// ExtINT on LINT0 and NMI on LINT1. Without ACPI this is how Linux finds the other vCPUs.
Result<std::vector<uint8_t>> buildMpTable(uint32_t vcpuCount, uint32_t tableAddress);

} // namespace vmm::x86_64
