// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli audit [--follow] | audit verify | audit export: the hash-chained audit log.
#include "cli.h"
#include "common/displaytext.h"
#include "localaccesscli.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QThread>

#include <csignal>

namespace Tessera::Cli {
namespace {

volatile sig_atomic_t g_stop = 0;
extern "C" void stopFollowing(int)
{
    g_stop = 1;
}

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString compact(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return v.toString();
}

QStringList row(const QJsonObject &e)
{
    QString details = compact(e.value(QStringLiteral("details")));
    if (details == QStringLiteral("{}"))
        details.clear();
    if (details.size() > 100)
        details = details.left(99) + u'…';
    return { QString::number(e.value(QStringLiteral("seq")).toInteger()),
        timeText(e.value(QStringLiteral("ts")).toInteger()), e.value(QStringLiteral("kind")).toString(),
        e.value(QStringLiteral("actor")).toString(), e.value(QStringLiteral("clientId")).toString(),
        e.value(QStringLiteral("resource")).toString(), details };
}

const QStringList kHeader { QStringLiteral("SEQ"), QStringLiteral("TIME"), QStringLiteral("KIND"),
    QStringLiteral("ACTOR"), QStringLiteral("CLIENT"), QStringLiteral("RESOURCE"), QStringLiteral("DETAILS") };

void addFilterOptions(QCommandLineParser &p)
{
    p.addOption({ QStringLiteral("since"),
        QStringLiteral("Only events since T: 30s, 10m, 2h, 3d, or a local date[/time] 2026-01-31[T09:30]"),
        QStringLiteral("T") });
    p.addOption({ QStringLiteral("client"), QStringLiteral("Only events of this client id"), QStringLiteral("id") });
    p.addOption({ QStringLiteral("kind"), QStringLiteral("Only events of this kind (e.g. local.exec, grant.revoked)"),
        QStringLiteral("kind") });
}

std::optional<QJsonObject> filterParams(Context &ctx, const QCommandLineParser &p, const QString &command)
{
    QJsonObject params;
    if (p.isSet(QStringLiteral("since"))) {
        const auto since = parseSince(p.value(QStringLiteral("since")), QDateTime::currentMSecsSinceEpoch());
        if (!since) {
            (void)ctx.usage(
                command, QStringLiteral("--since takes 30s, 10m, 2h, 3d or a date like 2026-01-31[T09:30]"));
            return std::nullopt;
        }
        params.insert(QStringLiteral("sinceMs"), *since);
    }
    if (p.isSet(QStringLiteral("client")))
        params.insert(QStringLiteral("client"), p.value(QStringLiteral("client")));
    if (p.isSet(QStringLiteral("kind")))
        params.insert(QStringLiteral("kind"), p.value(QStringLiteral("kind")));
    return params;
}

/** Every event matching @p params, oldest first. */
Result<QList<QJsonObject>> fetchAll(const Context &ctx, QJsonObject params)
{
    auto client = ctx.connectOperator();
    if (!client)
        return client.error();
    QList<QJsonObject> events;
    params.insert(QStringLiteral("limit"), 1000);
    for (;;) {
        auto r = client->call(QStringLiteral("audit.query"), params, 60000);
        if (!r)
            return r.error();
        const QJsonObject page = r->toObject();
        for (const QJsonValue &v : page.value(QStringLiteral("events")).toArray())
            events.append(v.toObject());
        if (page.value(QStringLiteral("nextBeforeSeq")).isNull())
            break;
        params.insert(QStringLiteral("beforeSeq"), page.value(QStringLiteral("nextBeforeSeq")));
    }
    std::reverse(events.begin(), events.end());
    return events;
}

int runVerify(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("audit verify"),
            QStringLiteral("Re-computes the audit log's hash chain from the first event. Exit code 0 when it is\n"
                           "intact, 1 with the first bad event's number when an event was changed, removed or\n"
                           "inserted. It cannot detect a log rewritten from scratch (see the README).")))
        return *stop;
    auto r = callOperator(ctx, QStringLiteral("audit.verify"), {}, 300000);
    if (!r)
        return ctx.fail(r.error());
    const QJsonObject o = r->toObject();
    const bool ok = o.value(QStringLiteral("ok")).toBool();
    if (ctx.json) {
        ctx.printJson(o);
    } else if (ok) {
        ctx.out << "The audit log is intact: " << o.value(QStringLiteral("rowsChecked")).toInteger()
                << " events verified.\n";
    } else {
        ctx.out << "The audit log is BROKEN at event " << o.value(QStringLiteral("firstBadSeq")).toInteger() << ": "
                << o.value(QStringLiteral("reason")).toString() << " ("
                << o.value(QStringLiteral("rowsChecked")).toInteger() << " events before it verified)\n";
    }
    ctx.out.flush();
    return ok ? 0 : static_cast<int>(Ipc::ExitCode::Failure);
}

/** RFC 4180 field, defused for spreadsheets (OWASP CSV injection: = + - @ tab CR lead a formula). */
QString csvField(const QString &text)
{
    QString s = text;
    if (!s.isEmpty() && QStringLiteral("=+-@\t\r").contains(s.at(0)))
        s.prepend(u'\'');
    if (s.contains(u',') || s.contains(u'"') || s.contains(u'\n') || s.contains(u'\r'))
        s = u'"' + s.replace(u'"', QStringLiteral("\"\"")) + u'"';
    return s;
}

int runExport(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("file"), QStringLiteral("Where to write (- for stdout)"));
    p.addOption({ QStringLiteral("format"), QStringLiteral("jsonl (default) or csv"), QStringLiteral("format"),
        QStringLiteral("jsonl") });
    addFilterOptions(p);
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("audit export"),
            QStringLiteral("Writes the audit log (or the matching events), oldest first.\n"
                           "jsonl: one JSON object per line with seq, ts (Unix ms), kind, actor, clientId, resource,\n"
                           "grantId, details, prevHash and hash (hex), enough to re-check the chain elsewhere.\n"
                           "csv: the same columns; cells that a spreadsheet would run as a formula are prefixed\n"
                           "with ' (CSV injection). The file is created mode 0600.")))
        return *stop;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("audit export"), QStringLiteral("needs exactly one FILE"));
    const QString format = p.value(QStringLiteral("format"));
    if (format != QStringLiteral("jsonl") && format != QStringLiteral("csv"))
        return ctx.usage(QStringLiteral("audit export"), QStringLiteral("--format is jsonl or csv"));
    auto params = filterParams(ctx, p, QStringLiteral("audit export"));
    if (!params)
        return static_cast<int>(Ipc::ExitCode::Usage);
    auto events = fetchAll(ctx, *params);
    if (!events)
        return ctx.fail(events.error());

    QByteArray out;
    if (format == QStringLiteral("csv")) {
        out += "seq,time_utc,ts_ms,kind,actor,client_id,resource,grant_id,details,prev_hash,hash\r\n";
        for (const QJsonObject &e : std::as_const(*events)) {
            const qint64 ts = e.value(QStringLiteral("ts")).toInteger();
            const QStringList cells { QString::number(e.value(QStringLiteral("seq")).toInteger()),
                QDateTime::fromMSecsSinceEpoch(ts, Qt::UTC).toString(Qt::ISODateWithMs), QString::number(ts),
                e.value(QStringLiteral("kind")).toString(), e.value(QStringLiteral("actor")).toString(),
                e.value(QStringLiteral("clientId")).toString(), e.value(QStringLiteral("resource")).toString(),
                e.value(QStringLiteral("grantId")).toString(), compact(e.value(QStringLiteral("details"))),
                e.value(QStringLiteral("prevHash")).toString(), e.value(QStringLiteral("hash")).toString() };
            QStringList fields;
            for (const QString &c : cells)
                fields.append(csvField(c));
            out += fields.join(u',').toUtf8() + "\r\n";
        }
    } else {
        // Same values, but no raw C1, bidi or separator for a consumer that prints a field (R1).
        for (const QJsonObject &e : std::as_const(*events))
            out += jsonDisplaySafe(QJsonDocument(e).toJson(QJsonDocument::Compact)) + '\n';
    }
    const QString file = p.positionalArguments().constFirst();
    if (file == QStringLiteral("-")) {
        QFile stdoutFile;
        if (!stdoutFile.open(stdout, QIODevice::WriteOnly) || stdoutFile.write(out) != out.size())
            return ctx.fail(Error::make(QStringLiteral("failure"), QStringLiteral("Cannot write to stdout.")));
        return 0;
    }
    QSaveFile save(file);
    if (!save.open(QIODevice::WriteOnly) || save.write(out) != out.size() || !save.commit())
        return ctx.fail(Error::make(
            QStringLiteral("failure"), QStringLiteral("Cannot write %1: %2").arg(file, save.errorString())));
    if (!ctx.json) {
        ctx.err << "Wrote " << events->size() << " events to " << file << ".\n";
        ctx.err.flush();
    }
    return 0;
}

int runAudit(Context &ctx, const QStringList &args)
{
    if (args.value(1) == QStringLiteral("verify"))
        return runVerify(ctx, args.mid(1));
    if (args.value(1) == QStringLiteral("export"))
        return runExport(ctx, args.mid(1));
    QCommandLineParser p;
    p.addOption(
        { QStringLiteral("follow"), QStringLiteral("Keep printing new events as they are written (Ctrl-C ends)") });
    p.addOption({ QStringLiteral("limit"), QStringLiteral("How many recent events (default 50)"), QStringLiteral("n"),
        QStringLiteral("50") });
    addFilterOptions(p);
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("audit"),
            QStringLiteral("Shows the most recent audit events, oldest first. Never token or secret values.\n\n"
                           "  tessera-cli audit [--follow] [--json] [--since T] [--client ID] [--kind K]\n"
                           "  tessera-cli audit verify                 checks the hash chain (exit 1 if broken)\n"
                           "  tessera-cli audit export --format jsonl|csv FILE\n\n"
                           "--json prints an array, or with --follow one JSON object per line.")))
        return *stop;
    if (!p.positionalArguments().isEmpty())
        return ctx.usage(
            QStringLiteral("audit"), QStringLiteral("unknown argument %1").arg(p.positionalArguments().constFirst()));
    bool ok = false;
    const int limit = p.value(QStringLiteral("limit")).toInt(&ok);
    if (!ok || limit < 1 || limit > 5000)
        return ctx.usage(QStringLiteral("audit"), QStringLiteral("--limit is 1 to 5000"));
    auto params = filterParams(ctx, p, QStringLiteral("audit"));
    if (!params)
        return static_cast<int>(Ipc::ExitCode::Usage);
    auto client = ctx.connectOperator();
    if (!client)
        return ctx.fail(client.error());
    QJsonObject query = *params;
    query.insert(QStringLiteral("limit"), limit);
    auto r = client->call(QStringLiteral("audit.query"), query, 60000);
    if (!r)
        return ctx.fail(r.error());
    QList<QJsonObject> events;
    for (const QJsonValue &v : r->toObject().value(QStringLiteral("events")).toArray())
        events.prepend(v.toObject());
    const bool follow = p.isSet(QStringLiteral("follow"));
    qint64 last = events.isEmpty() ? r->toObject().value(QStringLiteral("headSeq")).toInteger()
                                   : events.constLast().value(QStringLiteral("seq")).toInteger();
    if (ctx.json && !follow) {
        QJsonArray array;
        for (const QJsonObject &e : std::as_const(events))
            array.append(e);
        ctx.printJson(array);
        return 0;
    }
    const auto print = [&ctx](const QList<QJsonObject> &list, bool header) {
        if (ctx.json) {
            for (const QJsonObject &e : list)
                ctx.printJsonLine(e);
        } else if (!list.isEmpty()) {
            QList<QStringList> rows;
            for (const QJsonObject &e : list)
                rows.append(row(e));
            Shown text = table(kHeader, rows);
            if (!header)
                text.text = text.text.section(u'\n', 1); // the header once, at the top
            ctx.out << text;
        }
        ctx.out.flush();
    };
    if (!follow) {
        if (events.isEmpty())
            ctx.out << "No audit events match.\n";
        print(events, true);
        return 0;
    }
    print(events, true);
    ::signal(SIGINT, stopFollowing);
    ::signal(SIGTERM, stopFollowing);
    while (!g_stop) {
        QThread::msleep(500);
        QJsonObject since = *params;
        since.insert(QStringLiteral("afterSeq"), last);
        since.insert(QStringLiteral("limit"), 5000);
        auto more = client->call(QStringLiteral("audit.query"), since, 60000);
        if (!more) {
            if (g_stop)
                break;
            return ctx.fail(more.error());
        }
        QList<QJsonObject> fresh;
        for (const QJsonValue &v : more->toObject().value(QStringLiteral("events")).toArray())
            fresh.append(v.toObject());
        if (!fresh.isEmpty())
            last = fresh.constLast().value(QStringLiteral("seq")).toInteger();
        // Events that do not match the filters still move the head on (unless the page was full).
        if (fresh.size() < 5000)
            last = qMax(last, more->toObject().value(QStringLiteral("headSeq")).toInteger());
        print(fresh, events.isEmpty() && !fresh.isEmpty());
        if (!fresh.isEmpty())
            events = fresh;
    }
    return 0;
}

const bool registered = registerCommand({ QStringLiteral("audit"),
    QStringLiteral("Show, follow, verify or export the audit log: audit [--follow] | verify | export"), runAudit });

} // namespace
} // namespace Tessera::Cli
