// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli watch: approve or deny consent requests in a terminal, as they arrive.
//
//     operator socket: watch --> reply {pending: [...]} then events on the same connection:
//         requestAdded {request}, requestResolved {id, outcome}, frozenChanged {frozen}
//     keys: a approve (selected scopes, chosen duration), d deny, 1-9 toggle a scope,
//           t duration, n/p next/previous, q or Ctrl-C leave (requests stay pending)
#include "cli.h"
#include "common/displaytext.h"
#include "localaccesscli.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <csignal>
#include <termios.h>
#include <unistd.h>

namespace Tessera::Cli {
namespace {

/** Like the desktop prompt: Approve works only after the request has been on screen this long. */
constexpr qint64 kApproveDelayMs = 1000;
const QStringList kDurations { QStringLiteral("once"), QStringLiteral("1h"), QStringLiteral("1d"),
    QStringLiteral("forever") };

volatile sig_atomic_t g_quit = 0;
extern "C" void quitWatching(int)
{
    g_quit = 1;
}

/** Raw-ish terminal: no line buffering, no echo; Ctrl-C still raises SIGINT. Restored on destruction. */
class RawTerminal
{
public:
    RawTerminal()
    {
        if (::tcgetattr(STDIN_FILENO, &m_saved) != 0)
            return;
        termios t = m_saved;
        t.c_lflag &= ~tcflag_t(ICANON | ECHO);
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        m_active = ::tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
    }
    ~RawTerminal()
    {
        if (m_active)
            ::tcsetattr(STDIN_FILENO, TCSANOW, &m_saved);
    }
    RawTerminal(const RawTerminal &) = delete;
    RawTerminal &operator=(const RawTerminal &) = delete;

    /** A key if one was typed, else 0. */
    [[nodiscard]] static char key()
    {
        char c = 0;
        return ::read(STDIN_FILENO, &c, 1) == 1 ? c : 0;
    }
    /** Drops keys typed before a request was on screen (no approving by typeahead). */
    static void dropTypeahead() { ::tcflush(STDIN_FILENO, TCIFLUSH); }

private:
    termios m_saved {};
    bool m_active = false;
};

struct Pending
{
    QJsonObject request;
    QSet<int> deselected; ///< scope indices the person unticked
    int duration = 1; ///< index into kDurations
};

class Watcher
{
public:
    explicit Watcher(Context &ctx) : m_ctx(ctx) { }

    void add(const QJsonObject &request)
    {
        const QString id = request.value(QStringLiteral("id")).toString();
        for (const Pending &p : std::as_const(m_queue)) {
            if (p.request.value(QStringLiteral("id")).toString() == id)
                return;
        }
        m_queue.append(Pending { request, {}, 1 });
        if (m_queue.size() == 1)
            showCurrent();
        m_dirty = true;
    }
    void resolved(const QString &id, const QString &outcome)
    {
        for (qsizetype i = 0; i < m_queue.size(); ++i) {
            if (m_queue.at(i).request.value(QStringLiteral("id")).toString() != id)
                continue;
            const bool wasCurrent = i == m_current;
            m_queue.removeAt(i);
            if (i < m_current)
                --m_current;
            if (m_current >= m_queue.size())
                m_current = qMax<qsizetype>(0, m_queue.size() - 1);
            if (id != m_decidedId) // answered elsewhere (desktop, another terminal, timeout)
                m_status = QStringLiteral("Request %1: %2.").arg(id.left(8), outcome);
            if (wasCurrent)
                showCurrent();
            m_dirty = true;
            return;
        }
    }
    void setFrozen(bool frozen)
    {
        m_frozen = frozen;
        m_dirty = true;
    }

    /** Handles one key; false to stop watching. */
    bool onKey(char k)
    {
        if (k == 'q' || k == 'Q')
            return false;
        if (m_queue.isEmpty())
            return true;
        Pending &p = m_queue[m_current];
        const QJsonArray scopes = p.request.value(QStringLiteral("scopes")).toArray();
        if (k >= '1' && k <= '9') {
            const int i = k - '1';
            if (i < scopes.size()) {
                if (p.deselected.contains(i))
                    p.deselected.remove(i);
                else
                    p.deselected.insert(i);
            }
        } else if (k == 't' || k == 'T') {
            p.duration = (p.duration + 1) % int(kDurations.size());
        } else if (k == 'n' || k == 'j' || k == ' ') {
            m_current = (m_current + 1) % m_queue.size();
            showCurrent();
        } else if (k == 'p' || k == 'k') {
            m_current = (m_current + m_queue.size() - 1) % m_queue.size();
            showCurrent();
        } else if (k == 'd' || k == 'D') {
            decide(p, false);
        } else if (k == 'a' || k == 'A') {
            if (QDateTime::currentMSecsSinceEpoch() - m_shownAtMs < kApproveDelayMs)
                m_status = QStringLiteral("Read the request first; then press a again.");
            else
                decide(p, true);
        }
        // Enter and anything else: nothing. Enter alone never approves.
        m_dirty = true;
        return true;
    }

    void drawIfNeeded(bool force)
    {
        if (!m_dirty && !force)
            return;
        m_dirty = false;
        const Printer &o = m_ctx.out;
        o << "\033[H\033[2J"; // our own sequence; everything from Tessera below is escaped by the Printer
        o << "Tessera approvals · q or Ctrl-C leaves requests pending" << (m_frozen ? " · FROZEN" : "") << "\n\n";
        if (m_queue.isEmpty()) {
            o << "No requests are waiting. Watching for new ones…\n";
        } else {
            drawRequest(m_queue.at(m_current));
        }
        if (!m_status.isEmpty())
            o << '\n' << m_status << '\n';
        o.flush();
    }

    [[nodiscard]] qsizetype pendingCount() const { return m_queue.size(); }

private:
    void showCurrent()
    {
        m_shownAtMs = QDateTime::currentMSecsSinceEpoch();
        RawTerminal::dropTypeahead();
    }

    void decide(const Pending &p, bool approve)
    {
        const QString id = p.request.value(QStringLiteral("id")).toString();
        m_decidedId = id;
        Result<QJsonValue> r = Error::make(QStringLiteral("failure"), QString());
        if (approve) {
            QStringList chosen;
            const QJsonArray scopes = p.request.value(QStringLiteral("scopes")).toArray();
            for (int i = 0; i < scopes.size(); ++i) {
                if (!p.deselected.contains(i))
                    chosen.append(scopes.at(i).toObject().value(QStringLiteral("name")).toString());
            }
            if (!scopes.isEmpty() && chosen.isEmpty()) {
                m_status = QStringLiteral("Select at least one scope, or press d to deny.");
                return;
            }
            r = callOperator(m_ctx, QStringLiteral("approve"),
                { { QStringLiteral("id"), id }, { QStringLiteral("scopes"), QJsonArray::fromStringList(chosen) },
                    { QStringLiteral("duration"), kDurations.at(p.duration) } });
            m_status = r
                ? QStringLiteral("Approved %1 for %2.")
                      .arg(chosen.isEmpty() ? QStringLiteral("the request") : chosen.join(QStringLiteral(", ")),
                          kDurations.at(p.duration))
                : QStringLiteral("Could not approve: %1").arg(r.error().message);
        } else {
            r = callOperator(m_ctx, QStringLiteral("deny"), { { QStringLiteral("id"), id } });
            m_status = r ? QStringLiteral("Denied.") : QStringLiteral("Could not deny: %1").arg(r.error().message);
        }
    }

    void drawRequest(const Pending &p)
    {
        const Printer &o = m_ctx.out;
        const QJsonObject r = p.request;
        const QJsonObject who = r.value(QStringLiteral("requester")).toObject();
        const QJsonObject res = r.value(QStringLiteral("resource")).toObject();
        const QString path = r.value(QStringLiteral("path")).toString();
        const qint64 left
            = (r.value(QStringLiteral("expiresAtMs")).toInteger() - QDateTime::currentMSecsSinceEpoch()) / 1000;
        // text: a QString (escaped when printed) or Shown (escaped already).
        const auto line = [&o](const char *label, const auto &text) {
            o << "  " << QString::fromLatin1(label).leftJustified(10) << text << '\n';
        };
        o << "Request " << r.value(QStringLiteral("id")).toString().left(8) << " (" << (m_current + 1) << " of "
          << m_queue.size() << ") · " << path << " · answer " << humanDuration(qMax<qint64>(0, left)) << "\n\n";
        line("agent",
            clientNameText(who.value(QStringLiteral("name")).toString(), who.value(QStringLiteral("kind")).toString()));
        line("client",
            who.value(QStringLiteral("clientId")).toString() + QStringLiteral(" (")
                + who.value(QStringLiteral("kind")).toString() + u')');
        if (!who.value(QStringLiteral("verifiedDomain")).toString().isEmpty())
            line("verified",
                QStringLiteral("metadata fetched from https://")
                    + who.value(QStringLiteral("verifiedDomain")).toString());
        bool lookalike = false;
        const auto chainLines = [&](const QJsonArray &chain, const char *firstLabel) {
            const char *label = firstLabel;
            for (const QJsonValue &v : chain) {
                const QJsonObject pr = v.toObject();
                const QString exe = pr.value(QStringLiteral("exe")).toString();
                line(label,
                    Shown { pathText(exe).text + QStringLiteral(" (pid ")
                        + QString::number(pr.value(QStringLiteral("pid")).toInteger()) + u')' });
                label = "";
                lookalike = lookalike || hasLookalikeSlash(exe);
            }
        };
        chainLines(who.value(QStringLiteral("processChain")).toArray(), "process");
        // R5: identical requests merged into this one, and who is behind each of them.
        if (const qint64 merged = r.value(QStringLiteral("merged")).toInteger(1); merged > 1) {
            line("asked",
                Shown {
                    QStringLiteral("%1 times; one answer covers all of them (once: only the newest)").arg(merged) });
            for (const QJsonValue &c : r.value(QStringLiteral("mergedChains")).toArray())
                chainLines(c.toArray(), "also from");
        }
        if (lookalike)
            line("warning", Shown { QString::fromLatin1(kLookalikeWarning) });
        if (!who.value(QStringLiteral("redirectUri")).toString().isEmpty())
            line("sends to", who.value(QStringLiteral("redirectUri")).toString());
        if (const QString command = who.value(QStringLiteral("commandLine")).toString(); !command.isEmpty()) {
            line("command", command);
            if (needsEscaping(command))
                line("", Shown { QString::fromLatin1(kEscapeLegend) });
        }
        QStringList secrets;
        for (const QJsonValue &s : r.value(QStringLiteral("secrets")).toArray())
            secrets << s.toString();
        if (!secrets.isEmpty())
            line("secrets", secrets.join(QStringLiteral(", ")));
        if (who.value(QStringLiteral("newClient")).toBool())
            line("warning", QStringLiteral("this agent has never been approved before"));
        if (who.value(QStringLiteral("loopbackRedirect")).toBool())
            line("warning", QStringLiteral("loopback-only client: any local program could have registered it"));
        if (!who.value(QStringLiteral("previousExecutable")).toString().isEmpty())
            line("warning",
                Shown { QStringLiteral("last time this agent ran ")
                    + pathText(who.value(QStringLiteral("previousExecutable")).toString()).text });
        for (const QJsonValue &w : who.value(QStringLiteral("receiverWarnings")).toArray())
            line("warning", w.toString());
        if (!res.value(QStringLiteral("uri")).toString().isEmpty())
            line("resource",
                res.value(QStringLiteral("name")).toString() + QStringLiteral(" (")
                    + res.value(QStringLiteral("uri")).toString() + u')');
        const QJsonArray scopes = r.value(QStringLiteral("scopes")).toArray();
        for (int i = 0; i < scopes.size(); ++i) {
            const QJsonObject s = scopes.at(i).toObject();
            const bool high = s.value(QStringLiteral("risk")).toString() == QStringLiteral("high");
            line(i == 0 ? "scopes" : "",
                // One arg() call: a "%4" inside a name must not be filled in by a later arg().
                QStringLiteral("[%1] %2 %3 %4 %5 %6")
                    .arg(p.deselected.contains(i) ? QStringLiteral(" ") : QStringLiteral("x"), QString::number(i + 1),
                        s.value(QStringLiteral("name")).toString().leftJustified(16),
                        high ? QStringLiteral("HIGH RISK") : QStringLiteral("low      "),
                        s.value(QStringLiteral("alreadyGranted")).toBool() ? QStringLiteral("(held)")
                                                                           : QStringLiteral("(new) "),
                        s.value(QStringLiteral("description")).toString()));
        }
        line("duration", kDurations.at(p.duration) + QStringLiteral("   (t: once, 1h, 1d, forever)"));
        o << "\n  a approve   d deny   1-9 toggle a scope   t duration   n/p next/previous   q quit\n";
    }

    Context &m_ctx;
    QList<Pending> m_queue;
    qsizetype m_current = 0;
    qint64 m_shownAtMs = 0;
    QString m_status;
    QString m_decidedId; ///< the request this terminal answered last
    bool m_frozen = false;
    bool m_dirty = true;
};

QString summary(const QJsonObject &r)
{
    QStringList scopes;
    for (const QJsonValue &s : r.value(QStringLiteral("scopes")).toArray())
        scopes << s.toObject().value(QStringLiteral("name")).toString();
    QStringList secrets;
    for (const QJsonValue &s : r.value(QStringLiteral("secrets")).toArray())
        secrets << s.toString();
    const QJsonObject who = r.value(QStringLiteral("requester")).toObject();
    // Raw here: the Printer escapes the whole line once.
    QString text = QStringLiteral("request %1 (%2) from \"%3\" (%4) [%5]")
                       .arg(r.value(QStringLiteral("id")).toString(), r.value(QStringLiteral("path")).toString(),
                           who.value(QStringLiteral("name")).toString(),
                           QLatin1String(nameNote(who.value(QStringLiteral("kind")).toString())),
                           who.value(QStringLiteral("clientId")).toString());
    if (!r.value(QStringLiteral("resource")).toObject().value(QStringLiteral("uri")).toString().isEmpty())
        text += QStringLiteral(" for ")
            + r.value(QStringLiteral("resource")).toObject().value(QStringLiteral("uri")).toString();
    if (!scopes.isEmpty())
        text += QStringLiteral(" scopes: ") + scopes.join(u' ');
    if (!secrets.isEmpty())
        text += QStringLiteral(" secrets: ") + secrets.join(u' ');
    if (!who.value(QStringLiteral("commandLine")).toString().isEmpty())
        text += QStringLiteral(" command: ") + who.value(QStringLiteral("commandLine")).toString();
    return text;
}

int runWatch(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("watch"),
            QStringLiteral("Shows each consent request as it arrives, with the facts the desktop prompt shows, and\n"
                           "lets you answer it: a approve (the ticked scopes, for the chosen duration), d deny,\n"
                           "1-9 tick or untick a scope, t change the duration, n/p move between requests.\n"
                           "Approve works once the request has been on screen for a second; Enter does nothing.\n"
                           "q or Ctrl-C leaves: unanswered requests stay pending (and time out as denied).\n\n"
                           "When stdin is not a terminal (or with --json) it only prints the events, one per line.")))
        return *stop;
    if (!p.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("watch"), QStringLiteral("takes no arguments"));
    auto client = ctx.connectOperator();
    if (!client)
        return ctx.fail(client.error());

    const bool interactive = !ctx.json && ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1;
    Watcher watcher(ctx);
    client->setEventHandler([&](const QString &event, const QJsonValue &data) {
        if (!interactive) {
            if (ctx.json)
                ctx.printJsonLine(QJsonObject { { QStringLiteral("event"), event }, { QStringLiteral("data"), data } });
            else if (event == QStringLiteral("requestAdded"))
                ctx.out << summary(data.toObject()) << '\n';
            else if (event == QStringLiteral("requestResolved"))
                ctx.out << "request " << data.toObject().value(QStringLiteral("id")).toString() << " "
                        << data.toObject().value(QStringLiteral("outcome")).toString() << '\n';
            else if (event == QStringLiteral("frozenChanged"))
                ctx.out << (data.toObject().value(QStringLiteral("frozen")).toBool() ? "frozen\n" : "unfrozen\n");
            ctx.out.flush();
            return;
        }
        if (event == QStringLiteral("requestAdded"))
            watcher.add(data.toObject());
        else if (event == QStringLiteral("requestResolved"))
            watcher.resolved(data.toObject().value(QStringLiteral("id")).toString(),
                data.toObject().value(QStringLiteral("outcome")).toString());
        else if (event == QStringLiteral("frozenChanged"))
            watcher.setFrozen(data.toObject().value(QStringLiteral("frozen")).toBool());
    });
    auto subscribed = client->call(QStringLiteral("watch"));
    if (!subscribed)
        return ctx.fail(subscribed.error());
    for (const QJsonValue &v : subscribed->toObject().value(QStringLiteral("pending")).toArray()) {
        if (interactive)
            watcher.add(v.toObject());
        else if (ctx.json)
            ctx.printJsonLine(QJsonObject {
                { QStringLiteral("event"), QStringLiteral("requestAdded") }, { QStringLiteral("data"), v } });
        else
            ctx.out << summary(v.toObject()) << '\n';
    }
    if (interactive)
        watcher.setFrozen(subscribed->toObject().value(QStringLiteral("frozen")).toBool());
    ctx.out.flush();

    ::signal(SIGINT, quitWatching);
    ::signal(SIGTERM, quitWatching);
    Status ended;
    if (interactive) {
        RawTerminal raw;
        qint64 lastDraw = 0;
        bool keepGoing = true;
        ended = client->readEvents(
            [&] {
                for (char k = RawTerminal::key(); k != 0 && keepGoing; k = RawTerminal::key())
                    keepGoing = watcher.onKey(k);
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                watcher.drawIfNeeded(now - lastDraw >= 1000); // the countdown moves once a second
                if (now - lastDraw >= 1000)
                    lastDraw = now;
                return keepGoing && !g_quit;
            },
            100);
        ctx.out << "\n";
    } else {
        ended = client->readEvents([] { return !g_quit; }, 200);
    }
    if (!ended && !g_quit)
        return ctx.fail(ended.error());
    if (interactive) {
        ctx.out << "Stopped watching; " << watcher.pendingCount() << " request(s) left pending.\n";
        ctx.out.flush();
    }
    return 0;
}

const bool registered = registerCommand(
    { QStringLiteral("watch"), QStringLiteral("Approve or deny requests in this terminal as they arrive"), runWatch });

} // namespace
} // namespace Tessera::Cli
