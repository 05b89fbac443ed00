#pragma once

#include <string>
#include <string_view>

namespace vmm {

/// What failed, the errno it failed with (0 when none applies), and detail for a person.
class Error {
public:
    /// An error from a system call or ioctl: `operation` is its name, `errnoValue` its errno.
    static Error fromErrno(std::string_view operation, int errnoValue, std::string_view detail = {});
    /// An error that is not a system call failure (bad input, bad file, guest misbehaviour).
    static Error invalid(std::string_view operation, std::string_view detail);

    const std::string& operation() const { return m_operation; }
    int errnoValue() const { return m_errno; }
    const std::string& detail() const { return m_detail; }

    /// One line: "operation: detail (strerror)".
    std::string message() const;

    /// The same error with `context` put in front of the detail ("loading kernel: ...").
    Error withContext(std::string_view context) const;

private:
    Error(std::string operation, int errnoValue, std::string detail);

    std::string m_operation;
    int m_errno = 0;
    std::string m_detail;
};

} // namespace vmm
