// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/clock.h"

#include <QDateTime>

namespace Tessera {
qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

const SystemClock &SystemClock::instance()
{
    static const SystemClock clock;
    return clock;
}
} // namespace Tessera
