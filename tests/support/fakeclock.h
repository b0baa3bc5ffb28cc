// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/clock.h"

namespace Tessera::Test {

/** @brief A clock that moves only when told to. */
class FakeClock final : public Clock
{
public:
    explicit FakeClock(qint64 startMs = 1'767'225'600'000) // 2026-01-01T00:00:00Z
        : m_nowMs(startMs)
    { }
    [[nodiscard]] qint64 nowMs() const override { return m_nowMs; }
    void setMs(qint64 ms) { m_nowMs = ms; }
    void advanceSecs(qint64 s) { m_nowMs += s * 1000; }
    void advanceMs(qint64 ms) { m_nowMs += ms; }

private:
    qint64 m_nowMs;
};

} // namespace Tessera::Test
