// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/portownerresolver.h"

#include <QMutex>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Tessera::Ipc {

namespace {

/** Where a socket was last seen: one readlink() confirms it is still there. */
struct Holder
{
    qint64 pid = -1;
    QByteArray fd;
};

// inode -> holder, shared by every resolver of the process (the fd tables are the system's).
// Bounded: a listener seen once per authorization; past the cap the oldest knowledge goes.
constexpr int kMaxCachedHolders = 256;
QMutex g_cacheMutex;
QHash<quint64, Holder> g_holders;

QByteArray socketLink(quint64 inode)
{
    return QByteArrayLiteral("socket:[") + QByteArray::number(inode) + ']';
}

bool linkIs(const QByteArray &path, const QByteArray &wanted)
{
    char target[64];
    const ssize_t n = ::readlink(path.constData(), target, sizeof target);
    return n == wanted.size() && std::memcmp(target, wanted.constData(), size_t(n)) == 0;
}

QList<qint64> ownPidsNewestFirst()
{
    QList<qint64> pids;
    DIR *proc = ::opendir("/proc");
    if (!proc)
        return pids;
    const uid_t me = ::getuid();
    while (const dirent *e = ::readdir(proc)) {
        char *end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0')
            continue;
        struct stat st
        {
        };
        const QByteArray path = QByteArrayLiteral("/proc/") + e->d_name;
        if (::stat(path.constData(), &st) == 0 && st.st_uid == me)
            pids.append(pid);
    }
    ::closedir(proc);
    std::sort(pids.begin(), pids.end(), std::greater<>());
    return pids;
}

/** The holders of @p inodes: the cache where it is still right, else one walk for all the rest. */
QHash<quint64, qint64> findHolders(const QSet<quint64> &inodes, const std::atomic_bool *cancel)
{
    QHash<quint64, qint64> found;
    QSet<quint64> missing;
    {
        QMutexLocker lock(&g_cacheMutex);
        for (const quint64 inode : inodes) {
            const auto it = g_holders.constFind(inode);
            if (it != g_holders.cend()
                && linkIs(
                    QByteArrayLiteral("/proc/") + QByteArray::number(it->pid) + "/fd/" + it->fd, socketLink(inode)))
                found.insert(inode, it->pid);
            else
                missing.insert(inode);
        }
    }
    if (missing.isEmpty())
        return found;
    QHash<QByteArray, quint64> wanted;
    for (const quint64 inode : std::as_const(missing))
        wanted.insert(socketLink(inode), inode);
    QHash<quint64, Holder> learned;
    char target[64];
    for (const qint64 pid : ownPidsNewestFirst()) {
        if (wanted.isEmpty() || (cancel && cancel->load()))
            break;
        const QByteArray fdDir = QByteArrayLiteral("/proc/") + QByteArray::number(pid) + "/fd";
        DIR *dir = ::opendir(fdDir.constData());
        if (!dir)
            continue; // exited, or not ours after all
        while (const dirent *e = ::readdir(dir)) {
            if (e->d_name[0] == '.')
                continue;
            const QByteArray link = fdDir + '/' + e->d_name;
            const ssize_t n = ::readlink(link.constData(), target, sizeof target);
            if (n <= 8 || std::memcmp(target, "socket:[", 8) != 0)
                continue;
            const auto it = wanted.constFind(QByteArray(target, n));
            if (it == wanted.cend())
                continue;
            found.insert(*it, pid); // newest first: the first holder found is the newest
            learned.insert(*it, Holder { pid, QByteArray(e->d_name) });
            wanted.erase(it);
        }
        ::closedir(dir);
    }
    QMutexLocker lock(&g_cacheMutex);
    if (g_holders.size() + learned.size() > kMaxCachedHolders)
        g_holders.clear();
    g_holders.insert(learned);
    return found;
}

QList<PortOwnerReport> systemLookup(const QList<PortQuery> &queries, const std::atomic_bool *cancel)
{
    QList<PortOwnerReport> reports;
    reports.reserve(queries.size());
    auto listeners = tcpListeners();
    const qint64 me = qint64(::getuid());
    QSet<quint64> ownInodes;
    QList<quint64> inodeOf; // per query, 0 unless Own
    for (const PortQuery &q : queries) {
        PortOwnerReport r;
        r.port = q.port;
        quint64 inode = 0;
        if (!listeners) {
            r.state = PortOwnerReport::State::Unknown;
            r.detail = listeners.error().message;
        } else {
            const QList<TcpListener> reached = reachableLoopbackListeners(*listeners, q.port, q.host);
            const auto foreign
                = std::find_if(reached.cbegin(), reached.cend(), [me](const TcpListener &l) { return l.uid != me; });
            if (reached.isEmpty()) {
                r.state = PortOwnerReport::State::Nobody;
            } else if (foreign != reached.cend()) {
                r.state = PortOwnerReport::State::Foreign;
                r.listenerUid = foreign->uid;
            } else {
                r.listenerUid = me;
                inode = chooseLoopbackListener(*listeners, q.port, q.host, me)->inode;
                ownInodes.insert(inode);
            }
        }
        inodeOf.append(inode);
        reports.append(r);
    }
    const QHash<quint64, qint64> holders
        = ownInodes.isEmpty() ? QHash<quint64, qint64> {} : findHolders(ownInodes, cancel);
    for (qsizetype i = 0; i < reports.size(); ++i) {
        if (inodeOf.at(i) == 0)
            continue;
        PortOwnerReport &r = reports[i];
        const auto pid = holders.constFind(inodeOf.at(i));
        if (pid == holders.cend()) {
            r.state = PortOwnerReport::State::Unknown;
            r.detail = QStringLiteral("No process of yours holds the socket listening on port %1.").arg(r.port);
            continue;
        }
        r.state = PortOwnerReport::State::Own;
        r.pid = *pid;
        r.exe = executableOf(*pid);
        r.chain = processChain(*pid);
    }
    return reports;
}

} // namespace

PortOwnerResolver::PortOwnerResolver(QObject *parent)
    : QObject(parent), m_cancel(std::make_shared<std::atomic_bool>(false))
{
    m_pool.setMaxThreadCount(1); // one pass at a time; later questions join the next pass
}

PortOwnerResolver::~PortOwnerResolver()
{
    m_cancel->store(true);
    m_pool.waitForDone();
}

PortOwnerReport PortOwnerResolver::timedOut(const PortQuery &query) const
{
    // The slow part is finding the process; whose socket it is takes one sock_diag dump of the
    // listening sockets (microseconds), so even a late answer never hides another user's listener.
    PortOwnerReport r;
    r.state = PortOwnerReport::State::TimedOut;
    r.port = query.port;
    r.detail = QStringLiteral("The lookup took longer than %1 ms.").arg(m_budgetMs);
    auto listeners = tcpListeners();
    if (!listeners)
        return r;
    const QList<TcpListener> reached = reachableLoopbackListeners(*listeners, query.port, query.host);
    const qint64 me = qint64(::getuid());
    if (reached.isEmpty()) {
        r.state = PortOwnerReport::State::Nobody;
        return r;
    }
    r.listenerUid = me;
    for (const TcpListener &l : reached) {
        if (l.uid != me) {
            r.state = PortOwnerReport::State::Foreign;
            r.listenerUid = l.uid;
        }
    }
    return r;
}

QList<PortOwnerReport> PortOwnerResolver::lookupNow(const QList<PortQuery> &queries)
{
    return systemLookup(queries, nullptr);
}

void PortOwnerResolver::setLookupForTesting(Lookup lookup)
{
    m_lookup = std::move(lookup);
}

void PortOwnerResolver::resolve(const PortQuery &query, Callback done)
{
    const quint64 id = m_nextId++;
    m_callbacks.insert(id, std::move(done));
    m_queue.append(Pending { id, query });
    // The budget: past it the answer is "could not check", and the late result is dropped.
    QTimer::singleShot(m_budgetMs, this, [this, id, query] {
        if (m_callbacks.contains(id))
            finish(id, timedOut(query));
    });
    if (!m_running)
        startPass();
}

void PortOwnerResolver::startPass()
{
    if (m_queue.isEmpty())
        return;
    m_running = true;
    ++m_passes;
    QList<quint64> ids;
    QList<PortQuery> queries;
    for (const Pending &p : std::as_const(m_queue)) {
        ids.append(p.id);
        queries.append(p.query);
    }
    m_queue.clear();
    m_queriesLookedUp += int(queries.size());
    Lookup lookup = m_lookup;
    std::shared_ptr<std::atomic_bool> cancel = m_cancel;
    m_pool.start([this, ids, queries, lookup, cancel] {
        QList<PortOwnerReport> reports = lookup ? lookup(queries) : systemLookup(queries, cancel.get());
        // The destructor waits for this task, so `this` is alive here; a queued call to an object
        // deleted before it runs is dropped by Qt.
        QMetaObject::invokeMethod(
            this, [this, ids, reports] { passDone(ids, reports); }, Qt::QueuedConnection);
    });
}

void PortOwnerResolver::passDone(const QList<quint64> &ids, const QList<PortOwnerReport> &reports)
{
    m_running = false;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        PortOwnerReport r;
        if (i < reports.size()) {
            r = reports.at(i);
        } else {
            r.state = PortOwnerReport::State::Unknown;
            r.detail = QStringLiteral("The lookup gave no answer.");
        }
        finish(ids.at(i), r);
    }
    startPass();
}

void PortOwnerResolver::finish(quint64 id, const PortOwnerReport &report)
{
    const auto it = m_callbacks.find(id);
    if (it == m_callbacks.end())
        return; // answered already (result or budget)
    Callback done = std::move(*it);
    m_callbacks.erase(it);
    if (done)
        done(report);
}

} // namespace Tessera::Ipc
