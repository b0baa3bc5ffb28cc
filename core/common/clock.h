// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace Tessera {

/**
 * @brief Injectable wall clock, so expiry logic is tested without sleeping.
 *
 * Seconds and milliseconds since the Unix epoch (UTC). The product uses SystemClock;
 * tests use tests/support/fakeclock.h.
 */
class Clock
{
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual qint64 nowMs() const = 0;
    [[nodiscard]] qint64 nowSecs() const { return nowMs() / 1000; }
};

class SystemClock final : public Clock
{
public:
    [[nodiscard]] qint64 nowMs() const override;
    /** @brief A process-wide instance for code that has no clock injected. */
    [[nodiscard]] static const SystemClock &instance();
};

} // namespace Tessera
