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

} // namespace app

/// Evaluates an app::Result expression; returns its error from the enclosing function, or yields
/// its value.
#define APP_TRY(expression)                                                                      \
    ({                                                                                           \
        auto _appTryResult = (expression);                                                       \
        if (!_appTryResult)                                                                      \
            return tl::unexpected<::app::AppError>(std::move(_appTryResult).error());            \
        std::move(_appTryResult).value();                                                        \
    })
