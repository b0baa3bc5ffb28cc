// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/auditexport.h"

#include "desktop/auditlistmodel.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonDocument>
#include <QJsonObject>

namespace Tessera::App::AuditExport {

namespace {
QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}
} // namespace

std::optional<Format> formatFromString(const QString &name)
{
    const QString n = name.toLower();
    if (n == QStringLiteral("jsonl") || n == QStringLiteral("json"))
        return Format::JsonLines;
    if (n == QStringLiteral("csv"))
        return Format::Csv;
    return std::nullopt;
}

QString csvField(const QString &value)
{
    QString v = value;
    bool neutralized = false;
    if (!v.isEmpty()) {
        const QChar c = v.at(0);
        if (c == u'=' || c == u'+' || c == u'-' || c == u'@' || c == u'\t' || c == u'\r') {
            v.prepend(u'\'');
            neutralized = true;
        }
    }
    // OWASP CSV injection: a neutralized cell is also quoted, so no spreadsheet splits it again.
    if (neutralized || v.contains(u',') || v.contains(u'"') || v.contains(u'\n') || v.contains(u'\r')) {
        v.replace(u'"', QStringLiteral("\"\""));
        v = u'"' + v + u'"';
    }
    return v;
}

QByteArray csvHeader()
{
    return QByteArrayLiteral(
        "seq,time_utc,kind,actor,client_id,client_name,resource,grant_id,summary,details,hash\r\n");
}

QByteArray csvRow(const Store::AuditEvent &e, const QString &clientName)
{
    const QStringList fields { QString::number(e.seq), isoTime(e.tsMs), e.kind, e.actor, e.clientId, clientName,
        e.resource, e.grantId, AuditListModel::summarize(e), QString::fromUtf8(e.details),
        QString::fromLatin1(e.hash.toHex()) };
    QStringList cells;
    cells.reserve(fields.size());
    for (const QString &f : fields)
        cells.append(csvField(f));
    return cells.join(u',').toUtf8() + "\r\n";
}

QByteArray jsonLine(const Store::AuditEvent &e, const QString &clientName)
{
    QJsonObject o {
        { QStringLiteral("seq"), e.seq },
        { QStringLiteral("ts"), e.tsMs },
        { QStringLiteral("time"), isoTime(e.tsMs) },
        { QStringLiteral("kind"), e.kind },
        { QStringLiteral("actor"), e.actor },
        { QStringLiteral("summary"), AuditListModel::summarize(e) },
        { QStringLiteral("details"), e.detailsObject() },
        { QStringLiteral("prevHash"), QString::fromLatin1(e.prevHash.toHex()) },
        { QStringLiteral("hash"), QString::fromLatin1(e.hash.toHex()) },
    };
    const auto optional = [&o](const char *key, const QString &value) {
        o.insert(QLatin1String(key), value.isEmpty() ? QJsonValue() : QJsonValue(value));
    };
    optional("clientId", e.clientId);
    optional("clientName", clientName);
    optional("resource", e.resource);
    optional("grantId", e.grantId);
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

Result<qint64> write(Store::AuditLog &log, Store::AuditFilter filter, Format format, QIODevice &out,
    const QHash<QString, QString> &clientNames)
{
    const auto put = [&out](const QByteArray &bytes) -> Status {
        if (out.write(bytes) != bytes.size())
            return Error::make(
                QStringLiteral("export_failed"), QStringLiteral("The export file could not be written."));
        return {};
    };
    if (format == Format::Csv) {
        if (Status s = put(csvHeader()); !s)
            return s.error();
    }
    filter.limit = 5000;
    filter.beforeSeq.reset();
    qint64 written = 0;
    for (;;) {
        auto page = log.query(filter);
        if (!page)
            return page.error();
        QByteArray chunk;
        for (const Store::AuditEvent &e : page->events) {
            const QString name = clientNames.value(e.clientId);
            chunk += format == Format::Csv ? csvRow(e, name) : jsonLine(e, name);
        }
        if (Status s = put(chunk); !s)
            return s.error();
        written += page->events.size();
        if (!page->nextBeforeSeq)
            break;
        filter.beforeSeq = page->nextBeforeSeq;
    }
    return written;
}

} // namespace Tessera::App::AuditExport
