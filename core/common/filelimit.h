// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace Tessera {

/** @brief The process's RLIMIT_NOFILE after raiseOpenFileLimit(). */
struct OpenFileLimit
{
    quint64 soft = 0;
    quint64 hard = 0;
};

/**
 * @brief Raises the soft limit on open descriptors to the hard limit, at most @p ceiling
 * (issue 9 R7c): the default soft limit (1024) is low enough for a same-user process to
 * exhaust with connections. Qt's event dispatcher uses poll(), so descriptors above
 * FD_SETSIZE are safe. Returns the limits in force afterwards (unchanged if raising failed).
 */
OpenFileLimit raiseOpenFileLimit(quint64 ceiling = 65536);

} // namespace Tessera
