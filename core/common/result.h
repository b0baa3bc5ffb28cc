// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/error.h"

#include <utility>
#include <variant>

namespace Tessera {

/**
 * @brief Value-or-error for synchronous core APIs.
 *
 * GCC 12 has std::expected only with -std=c++23 and clang 14 with libstdc++ 12 has
 * none, so this is the small in-house stand-in. Move to std::expected once both do.
 *
 * @code
 * Result<QByteArray> r = sha256(data);
 * if (!r) return r.error();
 * use(*r);
 * @endcode
 */
template<typename T, typename E = Error> class [[nodiscard]] Result
{
public:
    Result(T value) // NOLINT(google-explicit-constructor): implicit on purpose, like std::expected
        : m_v(std::in_place_index<0>, std::move(value))
    { }
    Result(E error) // NOLINT(google-explicit-constructor)
        : m_v(std::in_place_index<1>, std::move(error))
    { }

    [[nodiscard]] bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] T &value() & { return std::get<0>(m_v); }
    [[nodiscard]] const T &value() const & { return std::get<0>(m_v); }
    [[nodiscard]] T &&value() && { return std::get<0>(std::move(m_v)); }
    [[nodiscard]] const E &error() const & { return std::get<1>(m_v); }
    [[nodiscard]] E &&error() && { return std::get<1>(std::move(m_v)); }

    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T &&operator*() && { return std::move(*this).value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    template<typename U> [[nodiscard]] T valueOr(U &&fallback) const &
    {
        return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, E> m_v;
};

/** @brief Success-or-error for operations without a value. */
template<typename E> class [[nodiscard]] Result<void, E>
{
public:
    Result() = default;
    Result(E error) // NOLINT(google-explicit-constructor)
        : m_error(std::move(error)), m_ok(false)
    { }

    [[nodiscard]] bool ok() const noexcept { return m_ok; }
    explicit operator bool() const noexcept { return m_ok; }
    [[nodiscard]] const E &error() const & { return m_error; }
    [[nodiscard]] E &&error() && { return std::move(m_error); }

private:
    E m_error {};
    bool m_ok = true;
};

using Status = Result<void, Error>;

} // namespace Tessera
