#pragma once

#include "machine/Machine.h"
#include "machine/StopReason.h"
#include "sys/Result.h"

#include <csignal>

namespace vmm {

/// SIGINT, SIGTERM and SIGHUP: the signals that stop a session (terminal or control mode).
sigset_t hostSignals();

/// Blocks the signals airlock-vmm handles itself (SIGINT, SIGTERM, SIGHUP and the vCPU kick) in
/// the calling thread, so every thread started afterwards inherits the mask. Call first in main.
void blockHostSignals();

/// Writes guest console bytes to standard output (whole, retrying short writes; dropped when the
/// reader is gone).
void writeToStandardOutput(std::span<const uint8_t> bytes);

/// Runs `machine` with this process's terminal as its console until it stops: standard input
/// feeds the guest's UART (the terminal in raw mode, restored afterwards; Ctrl-A x stops the
/// VM), SIGINT/SIGTERM/SIGHUP stop it. Returns why it stopped.
StopReason runConsoleSession(Machine& machine);

} // namespace vmm
