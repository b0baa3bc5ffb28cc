// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"

#include "common/displaytext.h"
#include "oauth/oautherror.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Tessera::Cli {

namespace {
QList<Command> &registry()
{
    static QList<Command> list;
    return list;
}
} // namespace

Shown pathText(QStringView path)
{
    return Shown { displaySafePath(path) };
}

const char *nameNote(const QString &kind)
{
    if (kind == QStringLiteral("local")) // app/localaccess: the executable's file name, which the caller picked
        return "named after its executable, a file name chosen by the caller";
    if (kind == QStringLiteral("preregistered"))
        return "named by you";
    return "name is self-asserted";
}

Shown clientNameText(const QString &name, const QString &kind)
{
    return Shown { u'"' + displaySafe(name) + QStringLiteral("\" (") + QLatin1String(nameNote(kind)) + u')' };
}

const Printer &Printer::operator<<(const QString &text) const
{
    m_stream << displaySafe(text);
    return *this;
}

const Printer &Printer::operator<<(const Shown &text) const
{
    m_stream << text.text;
    return *this;
}

const Printer &Printer::operator<<(const char *literal) const
{
    m_stream << literal;
    return *this;
}

const Printer &Printer::operator<<(char c) const
{
    m_stream << c;
    return *this;
}

void Printer::writeJson(const QByteArray &json) const
{
    m_stream << QString::fromUtf8(jsonDisplaySafe(json));
}

Result<Ipc::IpcClient> Context::connectClient() const
{
    return Ipc::IpcClient::connectTo(locations.clientSocketPath());
}

Result<Ipc::IpcClient> Context::connectOperator() const
{
    return Ipc::IpcClient::connectTo(locations.operatorSocketPath());
}

int Context::fail(const Error &error) const
{
    if (json)
        printJsonLine(QJsonObject { { QStringLiteral("error"),
            QJsonObject { { QStringLiteral("code"), error.code }, { QStringLiteral("message"), error.message } } } });
    err << "tessera-cli: " << (error.message.isEmpty() ? error.code : error.message) << '\n';
    err.flush();
    return static_cast<int>(exitCodeFor(error));
}

int Context::usage(const QString &command, const QString &message) const
{
    err << "tessera-cli " << command << ": " << message << '\n' << "Try `tessera-cli " << command << " --help`.\n";
    err.flush();
    return static_cast<int>(Ipc::ExitCode::Usage);
}

void Context::printJson(const QJsonValue &value) const
{
    if (value.isObject())
        out.writeJson(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
    else if (value.isArray())
        out.writeJson(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
    else
        out.writeJson(QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact).mid(1).chopped(1) + '\n');
    out.flush();
}

void Context::printJsonLine(const QJsonObject &object) const
{
    out.writeJson(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
    out.flush();
}

std::optional<int> parseArgs(Context &ctx, QCommandLineParser &parser, const QStringList &args, const QString &command,
    const QString &description)
{
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    if (!parser.parse(args)) {
        // Tessera's ids are 22 base64url characters and one in 64 starts with '-': the parser
        // takes `approve -Oem...` for options. Such an argument that is no option is an id.
        static const QRegularExpression id(QStringLiteral("^-[A-Za-z0-9_-]{21}$"));
        QStringList options;
        QStringList ids;
        const qsizetype end = args.indexOf(QStringLiteral("--"));
        for (qsizetype i = 0; i < args.size(); ++i) {
            const bool isId = i > 0 && id.match(args.at(i)).hasMatch();
            (isId ? ids : options).append(args.at(i));
        }
        if (ids.isEmpty() || end >= 0 || !parser.parse(options + QStringList { QStringLiteral("--") } + ids))
            return ctx.usage(command, parser.errorText());
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QString help = parser.helpText();
        // QCommandLineParser's first line is "Usage: <argv[0]> [options] ..."; name the command
        // there, and only there (a description may say "Usage:" too).
        const qsizetype eol = help.indexOf(u'\n');
        const qsizetype afterProgram = help.indexOf(u' ', 7);
        if (help.startsWith(QStringLiteral("Usage: ")) && afterProgram > 0 && afterProgram < eol)
            help.replace(0, afterProgram, QStringLiteral("Usage: tessera-cli ") + command);
        ctx.out << own(help);
        ctx.out.flush();
        return 0;
    }
    return std::nullopt;
}

Result<QJsonValue> callOperator(const Context &ctx, const QString &method, const QJsonObject &params, int timeoutMs)
{
    auto client = ctx.connectOperator();
    if (!client)
        return client.error();
    return client->call(method, params, timeoutMs);
}

Result<QJsonValue> callClient(const Context &ctx, const QString &method, const QJsonObject &params, int timeoutMs)
{
    auto client = ctx.connectClient();
    if (!client)
        return client.error();
    return client->call(method, params, timeoutMs);
}

QString humanDuration(qint64 secs)
{
    const qint64 a = qAbs(secs);
    QString text;
    if (a < 90)
        text = QStringLiteral("%1 s").arg(a);
    else if (a < 90 * 60)
        text = QStringLiteral("%1 min").arg(a / 60);
    else if (a < 36 * 3600)
        text = QStringLiteral("%1 h").arg(a / 3600);
    else
        text = QStringLiteral("%1 d").arg(a / 86400);
    return secs < 0 ? text + QStringLiteral(" ago") : QStringLiteral("in ") + text;
}

QString humanTime(const QJsonValue &unixSecs)
{
    if (unixSecs.isNull() || unixSecs.isUndefined())
        return QStringLiteral("-");
    return QDateTime::fromSecsSinceEpoch(unixSecs.toInteger()).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

bool registerCommand(Command command)
{
    registry().append(std::move(command));
    return true;
}

const QList<Command> &commands()
{
    std::sort(registry().begin(), registry().end(), [](const Command &a, const Command &b) { return a.name < b.name; });
    return registry();
}

Ipc::ExitCode exitCodeFor(const Error &error)
{
    using Ipc::ExitCode;
    const QString &c = error.code;
    if (c == QStringLiteral("not_running"))
        return ExitCode::NotRunning;
    // Refused without a person's answer (frozen, or asked too often) is a refusal too: a script
    // must not retry it at once.
    if (c == QStringLiteral("denied") || c == OAuth::ErrorCode::AccessDenied || c == QStringLiteral("frozen")
        || c == QStringLiteral("throttled"))
        return ExitCode::Denied;
    if (c == QStringLiteral("timeout"))
        return ExitCode::Timeout;
    if (c == QStringLiteral("keychain_unavailable"))
        return ExitCode::KeychainUnavailable;
    if (c == QStringLiteral("usage"))
        return ExitCode::Usage;
    return ExitCode::Failure;
}

Shown table(const QStringList &header, const QList<QStringList> &untrustedRows)
{
    // Escape first, so that the columns line up on what the terminal shows.
    QList<QStringList> rows;
    rows.reserve(untrustedRows.size());
    for (const QStringList &row : untrustedRows) {
        QStringList cells;
        for (const QString &cell : row)
            cells.append(displaySafe(cell));
        rows.append(cells);
    }
    QList<qsizetype> widths;
    for (const QString &h : header)
        widths.append(h.size());
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = qMax(widths[i], row.at(i).size());
    }
    QString out;
    const auto line = [&](const QStringList &cells) {
        QString l;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            if (i > 0)
                l += QStringLiteral("  ");
            l += i + 1 < cells.size() ? cells.at(i).leftJustified(widths.value(i)) : cells.at(i);
        }
        out += l + u'\n';
    };
    line(header);
    for (const QStringList &row : rows)
        line(row);
    return Shown { out };
}

} // namespace Tessera::Cli
