#pragma once

#include <QString>

#include <tl/expected.hpp>

namespace app {

/// An error the app shows to its user: what went wrong and what to do about it, in one sentence
/// or two (STYLE.md §5). Engine errors are turned into one of these at the app's boundary.
struct AppError {
    QString message;
};

/// A value or a user-facing error.
template<typename T>
using Result = tl::expected<T, AppError>;

/// The failure value for any Result.
inline tl::unexpected<AppError> failure(QString message)
{
    return tl::unexpected<AppError>(AppError {std::move(message)});
}

namespace detail {
template<typename T>
T unwrap(Result<T>&& result)
{
    return std::move(result).value();
}
inline void unwrap(Result<void>&&) { }
} // namespace detail

} // namespace app

/// Evaluates an app::Result expression; returns its error from the enclosing function, or yields
/// its value (nothing for Result<void>). A GNU statement expression, like VMM_TRY.
#define APP_TRY(expression) APP_TRY_IMPL_(expression, APP_TRY_NAME_(__COUNTER__))
#define APP_TRY_NAME_(counter) APP_TRY_CONCAT_(appTryResult_, counter)
#define APP_TRY_CONCAT_(a, b) a##b
#define APP_TRY_IMPL_(expression, name)                                                          \
    ({                                                                                           \
        auto name = (expression);                                                                \
        if (!name) [[unlikely]]                                                                  \
            return tl::unexpected<::app::AppError>(std::move(name).error());                     \
        ::app::detail::unwrap(std::move(name));                                                  \
    })
