#pragma once

#include "Error.h"

#include <tl/expected.hpp>

namespace vmm {

/// A value or the Error that prevented it (STYLE.md §5). GCC 12 has no std::expected in C++20.
template<typename T>
using Result = tl::expected<T, Error>;

/// Shorthand for returning an error from a function that returns Result<T>.
inline tl::unexpected<Error> failure(Error error)
{
    return tl::unexpected<Error>(std::move(error));
}

namespace detail {
template<typename T>
T unwrap(Result<T>&& result)
{
    return std::move(result).value();
}
inline void unwrap(Result<void>&&) { }
} // namespace detail

} // namespace vmm

/// Evaluates a Result; on error returns it from the enclosing function, else yields the value.
/// (A GNU statement expression, as SerenityOS's TRY; each use gets its own variable name so that
/// nested uses do not shadow each other.)
#define VMM_TRY(expression) VMM_TRY_IMPL_(expression, VMM_TRY_NAME_(__COUNTER__))
#define VMM_TRY_NAME_(counter) VMM_TRY_CONCAT_(vmmTryResult_, counter)
#define VMM_TRY_CONCAT_(a, b) a##b
#define VMM_TRY_IMPL_(expression, name)                                                            \
    ({                                                                                             \
        auto name = (expression);                                                                  \
        if (!name) [[unlikely]]                                                                    \
            return ::vmm::failure(std::move(name).error());                                        \
        ::vmm::detail::unwrap(std::move(name));                                                    \
    })
