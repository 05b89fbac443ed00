#pragma once

#include <string>

namespace vmm {

/// Routes libvncserver's rfbLog and rfbErr to stderr as "airlock-vmm: display: ...": errors
/// only (libvncserver logs every connection and encoding), at most a few lines a second so a
/// viewer cannot flood the log. Process-wide; installing twice is harmless.
void installServerLog();
/// Logs one display error through the same limit.
void serverLogError(const std::string& message);
/// Logs a failed system call `operation` with `errnoValue` through the same limit.
void serverLogError(const char* operation, int errnoValue);

} // namespace vmm
