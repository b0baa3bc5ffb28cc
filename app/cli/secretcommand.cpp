// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli secret set | list | remove: upstream credentials kept in the keychain.
#include "cli.h"
#include "localaccesscli.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

#include <csignal>
#include <termios.h>
#include <unistd.h>

namespace Tessera::Cli {
namespace {

constexpr qsizetype kMaxValueBytes = 64 * 1024;

// The terminal settings to put back if Ctrl-C arrives while echo is off.
termios g_savedTerminal {};
volatile sig_atomic_t g_echoOff = 0;

extern "C" void restoreTerminalAndDie(int sig)
{
    if (g_echoOff)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
    static const char nl[] = "\n";
    (void)!::write(STDERR_FILENO, nl, 1);
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

/** One line from the terminal with echo off; the newline is not part of it. */
std::optional<QByteArray> readHidden(const Context &ctx, const QString &prompt)
{
    ctx.err << prompt;
    ctx.err.flush();
    termios t {};
    if (::tcgetattr(STDIN_FILENO, &t) != 0)
        return std::nullopt;
    g_savedTerminal = t;
    t.c_lflag &= ~tcflag_t(ECHO | ECHONL);
    auto *previousInt = ::signal(SIGINT, restoreTerminalAndDie);
    auto *previousTerm = ::signal(SIGTERM, restoreTerminalAndDie);
    g_echoOff = 1;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
    QByteArray line;
    char c = 0;
    bool complete = false;
    while (line.size() <= kMaxValueBytes) {
        const ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n <= 0)
            break;
        if (c == '\n') {
            complete = true;
            break;
        }
        line.append(c);
    }
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
    g_echoOff = 0;
    ::signal(SIGINT, previousInt);
    ::signal(SIGTERM, previousTerm);
    ctx.err << '\n';
    ctx.err.flush();
    if (!complete) {
        wipe(line);
        return std::nullopt;
    }
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

/** The value: stdin when it is not a terminal (one trailing newline dropped), else a hidden prompt, twice. */
Result<QByteArray> readValue(const Context &ctx, const QString &name)
{
    if (::isatty(STDIN_FILENO) != 1) {
        QByteArray all;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0)
                return Error::make(QStringLiteral("failure"), QStringLiteral("Cannot read the value from stdin."));
            if (n == 0)
                break;
            all.append(buf, n);
            if (all.size() > kMaxValueBytes + 2) {
                wipe(all);
                return Error::make(
                    QStringLiteral("usage"), QStringLiteral("The value is longer than %1 bytes.").arg(kMaxValueBytes));
            }
        }
        ::memset(buf, 0, sizeof buf);
        if (all.endsWith("\r\n"))
            all.chop(2);
        else if (all.endsWith('\n'))
            all.chop(1);
        return all;
    }
    auto first = readHidden(ctx, QStringLiteral("Value for secret \"%1\" (not shown): ").arg(name));
    if (!first)
        return Error::make(QStringLiteral("usage"), QStringLiteral("No value was entered."));
    auto second = readHidden(ctx, QStringLiteral("The same again: "));
    if (!second || *second != *first) {
        wipe(*first);
        if (second)
            wipe(*second);
        return Error::make(QStringLiteral("usage"), QStringLiteral("The two entries differ; nothing was stored."));
    }
    wipe(*second);
    return *first;
}

int runSet(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("name"), QStringLiteral("The secret's name: letters, digits, . _ -"));
    p.addOption({ QStringLiteral("description"), QStringLiteral("What it is, shown in lists and prompts"),
        QStringLiteral("text") });
    p.addOption({ QStringLiteral("env"),
        QStringLiteral("Variable a command gets it in by default (default: NAME in upper case)"),
        QStringLiteral("VAR") });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("secret set"),
            QStringLiteral(
                "Stores a secret (API key, token) in the keychain. The value is read from stdin when stdin is\n"
                "not a terminal (one trailing newline is dropped), otherwise from a prompt that does not echo,\n"
                "twice; never from the command line. At most 64 KiB, no NUL bytes. Setting an existing secret\n"
                "replaces its value; remembered exec approvals stay.\n\n"
                "  printf %s \"$TOKEN\" | tessera-cli secret set github --env GITHUB_TOKEN --description \"GitHub "
                "PAT\"\n"
                "  tessera-cli secret set openai")))
        return *stop;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(
            QStringLiteral("secret set"), QStringLiteral("needs exactly one NAME (the value comes from stdin)"));
    const QString name = p.positionalArguments().constFirst();
    auto value = readValue(ctx, name);
    if (!value)
        return value.error().code == QStringLiteral("usage")
            ? ctx.usage(QStringLiteral("secret set"), value.error().message)
            : ctx.fail(value.error());
    if (value->isEmpty())
        return ctx.usage(QStringLiteral("secret set"), QStringLiteral("the value is empty"));
    QByteArray encoded = value->toBase64();
    wipe(*value);
    QJsonObject params { { QStringLiteral("name"), name }, { QStringLiteral("value"), QString::fromLatin1(encoded) } };
    wipe(encoded);
    if (p.isSet(QStringLiteral("description")))
        params.insert(QStringLiteral("description"), p.value(QStringLiteral("description")));
    if (p.isSet(QStringLiteral("env")))
        params.insert(QStringLiteral("env"), p.value(QStringLiteral("env")));
    auto r = callOperator(ctx, QStringLiteral("secret.set"), params, 90000);
    params = {};
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json)
        ctx.printJson(*r);
    else
        ctx.out << "Stored secret \"" << name << "\" in the keychain (default variable "
                << r->toObject().value(QStringLiteral("env")).toString() << ").\n";
    ctx.out.flush();
    return 0;
}

int runList(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("secret list"),
            QStringLiteral("Lists the secrets: names and what is known about them, never their values.")))
        return *stop;
    if (!p.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("secret list"), QStringLiteral("takes no arguments"));
    auto r = callOperator(ctx, QStringLiteral("secret.list"));
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    QList<QStringList> rows;
    for (const QJsonValue &v : r->toArray()) {
        const QJsonObject s = v.toObject();
        rows.append({ s.value(QStringLiteral("name")).toString(), s.value(QStringLiteral("env")).toString(),
            humanTime(s.value(QStringLiteral("updatedAt"))), humanTime(s.value(QStringLiteral("lastUsedAt"))),
            QString::number(s.value(QStringLiteral("useCount")).toInteger()),
            s.value(QStringLiteral("description")).toString() });
    }
    ctx.out << (rows.isEmpty()
            ? own(QStringLiteral("No secrets. Add one with `tessera-cli secret set NAME`.\n"))
            : table({ QStringLiteral("NAME"), QStringLiteral("VARIABLE"), QStringLiteral("CHANGED"),
                        QStringLiteral("LAST USED"), QStringLiteral("USES"), QStringLiteral("DESCRIPTION") },
                rows));
    ctx.out.flush();
    return 0;
}

int runRemove(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("name"), QStringLiteral("The secret to remove"));
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("secret remove"),
            QStringLiteral("Removes a secret from the keychain and revokes the exec approvals that hand it out.")))
        return *stop;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("secret remove"), QStringLiteral("needs exactly one NAME"));
    auto r = callOperator(ctx, QStringLiteral("secret.remove"),
        { { QStringLiteral("name"), p.positionalArguments().constFirst() } }, 90000);
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json)
        ctx.printJson(*r);
    else
        ctx.out << "Removed secret \"" << p.positionalArguments().constFirst() << "\" ("
                << r->toObject().value(QStringLiteral("execGrantsRevoked")).toInt() << " exec grant(s) revoked).\n";
    ctx.out.flush();
    return 0;
}

int runSecret(Context &ctx, const QStringList &args)
{
    const QString sub = args.value(1);
    if (sub == QStringLiteral("set"))
        return runSet(ctx, args.mid(1));
    if (sub == QStringLiteral("list"))
        return runList(ctx, args.mid(1));
    if (sub == QStringLiteral("remove") || sub == QStringLiteral("rm"))
        return runRemove(ctx, args.mid(1));
    const QString help = QStringLiteral(
        "Usage: tessera-cli secret set NAME [--description TEXT] [--env VAR]   (value from stdin or a hidden prompt)\n"
        "       tessera-cli secret list\n"
        "       tessera-cli secret remove NAME\n\n"
        "Secrets (API keys, tokens) live only in the keychain; Tessera hands them to a command's\n"
        "environment after consent (`tessera-cli exec`). These commands use the operator socket.\n");
    if (sub == QStringLiteral("--help") || sub == QStringLiteral("-h")) {
        ctx.out << own(help);
        ctx.out.flush();
        return 0;
    }
    ctx.err << own(help);
    ctx.err.flush();
    return static_cast<int>(Ipc::ExitCode::Usage);
}

const bool registered = registerCommand({ QStringLiteral("secret"),
    QStringLiteral("Keep secrets in the keychain: secret set NAME | list | remove NAME"), runSecret });

} // namespace
} // namespace Tessera::Cli
