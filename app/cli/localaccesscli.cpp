// SPDX-License-Identifier: GPL-3.0-or-later
#include "localaccesscli.h"

#include <QDateTime>
#include <QJsonObject>
#include <QRegularExpression>

#include <cstring>
#include <unistd.h>

namespace Tessera::Cli {

Result<QJsonValue> callClientWaiting(const Context &ctx, const QString &method, const QJsonObject &params)
{
    auto client = ctx.connectClient();
    if (!client)
        return client.error();
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    const Printer &err = ctx.err;
    client->setEventHandler([terminal, &err](const QString &event, const QJsonValue &data) {
        if (event == QStringLiteral("pending") && terminal) {
            err << "tessera-cli: waiting for your decision in Tessera (request "
                << data.toObject().value(QStringLiteral("id")).toString().left(8) << ")…\n";
            err.flush();
        }
    });
    return client->call(method, params, -1);
}

std::optional<qint64> parseSince(const QString &text, qint64 nowMs)
{
    static const QRegularExpression relative(QStringLiteral("^(\\d{1,9})([smhd])$"));
    if (const QRegularExpressionMatch m = relative.match(text); m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 secs = unit == u's' ? n : unit == u'm' ? n * 60 : unit == u'h' ? n * 3600 : n * 86400;
        return nowMs - secs * 1000;
    }
    for (const QString &format :
        { QStringLiteral("yyyy-MM-dd'T'HH:mm:ss"), QStringLiteral("yyyy-MM-dd'T'HH:mm"),
            QStringLiteral("yyyy-MM-dd HH:mm:ss"), QStringLiteral("yyyy-MM-dd HH:mm"), QStringLiteral("yyyy-MM-dd") }) {
        const QDateTime t = QDateTime::fromString(text, format);
        if (t.isValid())
            return t.toMSecsSinceEpoch();
    }
    return std::nullopt;
}

void wipe(QByteArray &data)
{
    if (!data.isEmpty()) {
        // volatile: the compiler must not drop the writes as dead stores.
        volatile char *p = data.data();
        for (qsizetype i = 0; i < data.size(); ++i)
            p[i] = 0;
    }
    data.clear();
}

} // namespace Tessera::Cli
