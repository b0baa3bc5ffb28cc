// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/filelimit.h"

#include <algorithm>
#include <sys/resource.h>

namespace Tessera {

OpenFileLimit raiseOpenFileLimit(quint64 ceiling)
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return {};
    // getrlimit(2): an unprivileged process may raise its soft limit up to the hard limit.
    const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? rlim_t(ceiling) : std::min(limit.rlim_max, rlim_t(ceiling));
    if (wanted > limit.rlim_cur) {
        rlimit raised = limit;
        raised.rlim_cur = wanted;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    return { quint64(limit.rlim_cur), quint64(limit.rlim_max) };
}

} // namespace Tessera
