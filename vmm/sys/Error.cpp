#include "Error.h"

#include <cstring>

namespace vmm {

Error::Error(std::string operation, int errnoValue, std::string detail)
    : m_operation(std::move(operation))
    , m_errno(errnoValue)
    , m_detail(std::move(detail))
{
}

Error Error::fromErrno(std::string_view operation, int errnoValue, std::string_view detail)
{
    return Error(std::string(operation), errnoValue, std::string(detail));
}

Error Error::invalid(std::string_view operation, std::string_view detail)
{
    return Error(std::string(operation), 0, std::string(detail));
}

std::string Error::message() const
{
    std::string text = m_operation;
    if (!m_detail.empty()) {
        text += ": ";
        text += m_detail;
    }
    if (m_errno != 0) {
        text += " (";
        text += std::strerror(m_errno);
        text += ")";
    }
    return text;
}

Error Error::withContext(std::string_view context) const
{
    std::string detail(context);
    if (!m_detail.empty()) {
        detail += ": ";
        detail += m_detail;
    }
    return Error(m_operation, m_errno, std::move(detail));
}

} // namespace vmm
