#pragma once

#include "scratch/ShredReport.h"

#include <string>

namespace vmm {

class Machine;

/// Destroys what a stopped session leaves (DESIGN.md §Shredding): the scratch key and file, guest
/// memory (zeroed, checked, released), the vsock socket and the session directory. Call after
/// Machine::shutdown(): no vCPU or device runs any more. One report item per step.
ShredReport shredSession(Machine& machine);

/// Writes `report` to `path` (mode 0600, whole or not at all: a temporary file renamed into place).
Result<void> writeShredReport(const ShredReport& report, const std::string& path);
/// Writes `text` to `path` the same way.
Result<void> writeTextFileAtomically(const std::string& text, const std::string& path);

/// Removes a session directory that a failed start left empty; quiet when there is none.
void removeEmptySessionDirectory(const std::string& directory);

} // namespace vmm
