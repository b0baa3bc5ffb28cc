// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli exec | exec-grants: run a command with secrets (and an access token) from Tessera.
//
//     tessera-cli exec --secret github=GITHUB_TOKEN -- npx -y @modelcontextprotocol/server-github
//
//     resolve COMMAND on PATH ---> ask Tessera on the client socket (exec: caller chain, command
//     line, secrets, scopes) ---> person approves (or an exec grant covers it) ---> values arrive
//     over the user-only socket --+--> no --resource: execve() the command in place of tessera-cli
//                                 +--> --resource: fork(); the child execve()s; tessera-cli stays
//                                      as a supervisor that forwards signals, keeps the token
//                                      file fresh and exits with the child's status
#include "cli.h"
#include "common/locations.h"
#include "localaccesscli.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace Tessera::Cli {
namespace {

constexpr int kCannotExecute = 126; // POSIX shells: found but not executable
constexpr int kNotFound = 127; // POSIX shells: command not found
const QString kDefaultTokenEnv = QStringLiteral("TESSERA_ACCESS_TOKEN");

/** execvp's search, done up front so that the prompt can name the exact file. */
QString resolveCommand(const QString &name)
{
    if (name.isEmpty())
        return {};
    if (name.contains(u'/')) {
        const QFileInfo fi(name);
        return fi.exists() ? fi.absoluteFilePath() : QString();
    }
    QString path = qEnvironmentVariable("PATH");
    if (path.isEmpty())
        path = QStringLiteral("/usr/local/bin:/usr/bin:/bin");
    for (const QString &dir : path.split(u':')) {
        const QFileInfo fi(QDir(dir.isEmpty() ? QStringLiteral(".") : dir), name);
        if (fi.isFile() && fi.isExecutable())
            return fi.absoluteFilePath();
    }
    return {};
}

/** NUL-terminated strings and the pointer array execve() wants, kept alive together. */
class CStrings
{
public:
    void append(QByteArray s) { m_storage.push_back(std::move(s)); }
    char **pointers()
    {
        m_pointers.clear();
        for (QByteArray &s : m_storage)
            m_pointers.push_back(s.data());
        m_pointers.push_back(nullptr);
        return m_pointers.data();
    }
    void wipeAll()
    {
        for (QByteArray &s : m_storage)
            wipe(s);
        m_storage.clear();
        m_pointers.clear();
    }

private:
    std::vector<QByteArray> m_storage;
    std::vector<char *> m_pointers;
};

/** This process's environment with @p set added or replaced. */
void buildEnvironment(CStrings &env, const QHash<QByteArray, QByteArray> &set)
{
    for (char **e = environ; e && *e; ++e) {
        const QByteArray entry(*e);
        const qsizetype eq = entry.indexOf('=');
        if (set.contains(eq < 0 ? entry : entry.left(eq)))
            continue;
        env.append(entry);
    }
    for (auto it = set.cbegin(); it != set.cend(); ++it)
        env.append(it.key() + '=' + it.value());
}

/** A file holding the current access token, mode 0600 in a 0700 directory of the runtime dir. */
class TokenFile
{
public:
    [[nodiscard]] bool create(const QString &runtimeDir)
    {
        const QString dir = runtimeDir + QStringLiteral("/tokens");
        if (!ensurePrivateDirectory(dir))
            return false;
        m_path = QFile::encodeName(
            dir + QStringLiteral("/exec-") + QString::number(::getpid()) + QStringLiteral(".token"));
        return true;
    }
    [[nodiscard]] QString path() const { return QFile::decodeName(m_path); }
    /** Atomically replaces the content (write a temporary file, rename it over). */
    [[nodiscard]] bool write(const QByteArray &token) const
    {
        const QByteArray tmp = m_path + ".tmp";
        const int fd = ::open(tmp.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return false;
        const bool ok = ::write(fd, token.constData(), size_t(token.size())) == token.size();
        ::close(fd);
        return ok && ::rename(tmp.constData(), m_path.constData()) == 0;
    }
    void remove() const
    {
        if (!m_path.isEmpty())
            ::unlink(m_path.constData());
    }

private:
    QByteArray m_path;
};

qint64 monotonicSecs()
{
    timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/** Exits like the child did: its exit status, or the same signal. */
int propagate(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        // No core file of tessera-cli for the child's crash.
        const rlimit none { 0, 0 };
        ::setrlimit(RLIMIT_CORE, &none);
        ::signal(sig, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        ::sigprocmask(SIG_UNBLOCK, &one, nullptr);
        ::raise(sig);
        return 128 + sig;
    }
    return 1;
}

struct Refresher
{
    const Context *ctx = nullptr;
    QString resource;
    QStringList scopes;
    TokenFile file;
    qint64 nextAt = 0; ///< monotonic seconds
    qint64 validUntil = 0; ///< monotonic seconds: the token in the file is dead after this
    bool active = false;

    void schedule(qint64 expiresIn)
    {
        const qint64 now = monotonicSecs();
        validUntil = now + expiresIn;
        nextAt = now + qMax<qint64>(5, expiresIn * 3 / 4);
    }

    /** Asks Tessera for a fresh token (silent: covered by the grant, or it fails; never a prompt). */
    void refresh()
    {
        auto r = callClient(*ctx, QStringLiteral("token"),
            { { QStringLiteral("resource"), resource },
                { QStringLiteral("scopes"), QJsonArray::fromStringList(scopes) },
                { QStringLiteral("noPrompt"), true } },
            30000);
        const qint64 now = monotonicSecs();
        if (r) {
            const QJsonObject o = r->toObject();
            QByteArray token = o.value(QStringLiteral("access_token")).toString().toLatin1();
            if (file.write(token)) {
                schedule(o.value(QStringLiteral("expires_in")).toInteger(300));
                wipe(token);
                return;
            }
            wipe(token);
        }
        const bool ended
            = !r && exitCodeFor(r.error()) == Ipc::ExitCode::Denied && r.error().code != QStringLiteral("frozen");
        if (ended || now >= validUntil) {
            file.remove();
            active = false;
            ctx->err << "tessera-cli exec: the access token for " << resource << " is no longer renewed ("
                     << (r ? QStringLiteral("cannot write the token file") : r.error().message) << ")\n";
            ctx->err.flush();
            return;
        }
        nextAt = now + 10; // Tessera restarting, frozen, keychain locked: try again soon
    }
};

/** Waits for the child, forwarding signals and refreshing the token file; returns its status. */
int supervise(pid_t child, const sigset_t &handled, Refresher &refresher)
{
    for (;;) {
        siginfo_t info {};
        int sig;
        if (refresher.active) {
            const qint64 wait = qMax<qint64>(0, refresher.nextAt - monotonicSecs());
            const timespec timeout { time_t(wait), 0 };
            sig = ::sigtimedwait(&handled, &info, &timeout);
        } else {
            sig = ::sigwaitinfo(&handled, &info);
        }
        if (sig < 0) {
            if (errno == EAGAIN && refresher.active)
                refresher.refresh();
            continue;
        }
        if (sig == SIGCHLD) {
            int status = 0;
            const pid_t done = ::waitpid(child, &status, WNOHANG);
            if (done == child)
                return status;
            continue;
        }
        // A signal from the terminal (Ctrl-C, Ctrl-\, hangup, resize) went to the whole
        // foreground process group, the child included: passing it on would deliver it twice.
        if (info.si_code == SI_KERNEL)
            continue;
        ::kill(child, sig);
    }
}

int runExec(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    p.addPositionalArgument(QStringLiteral("command"), QStringLiteral("The command and its arguments (after --)"),
        QStringLiteral("-- COMMAND [ARGS...]"));
    p.addOption({ QStringLiteral("secret"),
        QStringLiteral("A secret for the command, in ENV or in its default variable (repeatable)"),
        QStringLiteral("NAME[=ENV]") });
    p.addOption({ QStringLiteral("resource"), QStringLiteral("Also an access token for this resource URI"),
        QStringLiteral("uri") });
    p.addOption(
        { QStringLiteral("scope"), QStringLiteral("A scope of that token (repeatable)"), QStringLiteral("scope") });
    p.addOption({ QStringLiteral("token-env"),
        QStringLiteral("Variable for the access token (default TESSERA_ACCESS_TOKEN; its file path in <VAR>_FILE)"),
        QStringLiteral("VAR"), kDefaultTokenEnv });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("exec"),
            QStringLiteral(
                "Runs COMMAND with secrets from the keychain in its environment, after the person approved.\n\n"
                "  tessera-cli exec --secret github=GITHUB_TOKEN -- npx -y @modelcontextprotocol/server-github\n\n"
                "The prompt names the caller chain (the programs that started tessera-cli), the command line\n"
                "and the secrets or scopes. An approval for 1h, 1d or until revoked is remembered for this\n"
                "caller executable, this exact command line and this exact set of secrets; `tessera-cli\n"
                "exec-grants` lists those, `tessera-cli revoke ID` ends one.\n\n"
                "Secrets travel from Tessera over the user-only socket straight into the child's environment:\n"
                "never in argv, /proc/PID/cmdline, a file or a log. The environment of a process can be read\n"
                "by the same user (/proc/PID/environ), as everything of that user can.\n\n"
                "Without --resource, tessera-cli replaces itself with the command (execve): same pid, stdio,\n"
                "signals and exit status. With --resource, the command gets a fresh access token in\n"
                "TESSERA_ACCESS_TOKEN (see --token-env) and the path of a file in TESSERA_ACCESS_TOKEN_FILE\n"
                "that tessera-cli rewrites before the token expires; tessera-cli then stays as the parent,\n"
                "passes signals on, removes the file at the end and exits with the child's status.\n\n"
                "Exit codes: the command's own; before it starts: 2 usage, 3 denied (the command never\n"
                "runs), 4 nobody answered in time, 5 Tessera not running, 6 keychain unavailable, 1 other\n"
                "failures, 126 not executable, 127 command not found.")))
        return *stop;
    const QStringList command = p.positionalArguments();
    if (command.isEmpty())
        return ctx.usage(QStringLiteral("exec"), QStringLiteral("needs a command after --"));
    if (!p.isSet(QStringLiteral("secret")) && !p.isSet(QStringLiteral("resource")))
        return ctx.usage(QStringLiteral("exec"), QStringLiteral("needs at least one --secret or a --resource"));
    if (p.isSet(QStringLiteral("scope")) && !p.isSet(QStringLiteral("resource")))
        return ctx.usage(QStringLiteral("exec"), QStringLiteral("--scope needs --resource"));
    const QString tokenEnv = p.value(QStringLiteral("token-env"));
    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
    if (!envName.match(tokenEnv).hasMatch())
        return ctx.usage(QStringLiteral("exec"), QStringLiteral("--token-env needs a variable name"));
    QJsonArray secrets;
    for (const QString &s : p.values(QStringLiteral("secret"))) {
        const qsizetype eq = s.indexOf(u'=');
        secrets.append(QJsonObject { { QStringLiteral("name"), eq < 0 ? s : s.left(eq) },
            { QStringLiteral("env"), eq < 0 ? QString() : s.mid(eq + 1) } });
    }

    const QString path = resolveCommand(command.constFirst());
    if (path.isEmpty()) {
        ctx.err << "tessera-cli exec: " << command.constFirst() << ": command not found\n";
        ctx.err.flush();
        return kNotFound;
    }
    QStringList resolved = command;
    resolved[0] = path;
    QJsonObject params { { QStringLiteral("command"), QJsonArray::fromStringList(resolved) },
        { QStringLiteral("secrets"), secrets } };
    if (p.isSet(QStringLiteral("resource"))) {
        params.insert(QStringLiteral("resource"), p.value(QStringLiteral("resource")));
        params.insert(QStringLiteral("scopes"), QJsonArray::fromStringList(p.values(QStringLiteral("scope"))));
    }
    auto reply = callClientWaiting(ctx, QStringLiteral("exec"), params);
    if (!reply)
        return ctx.fail(reply.error());

    QHash<QByteArray, QByteArray> set;
    const QJsonObject env = reply->toObject().value(QStringLiteral("env")).toObject();
    for (auto it = env.begin(); it != env.end(); ++it)
        set.insert(it.key().toLatin1(), QByteArray::fromBase64(it.value().toString().toLatin1()));
    Refresher refresher;
    refresher.ctx = &ctx;
    const QJsonObject token = reply->toObject().value(QStringLiteral("accessToken")).toObject();
    if (!token.isEmpty()) {
        refresher.resource = p.value(QStringLiteral("resource"));
        refresher.scopes = p.values(QStringLiteral("scope"));
        const QByteArray jwt = token.value(QStringLiteral("access_token")).toString().toLatin1();
        if (!refresher.file.create(ctx.locations.runtimeDir) || !refresher.file.write(jwt)) {
            ctx.err << "tessera-cli exec: cannot write the token file in " << ctx.locations.runtimeDir << '\n';
            ctx.err.flush();
            return 1;
        }
        refresher.schedule(token.value(QStringLiteral("expires_in")).toInteger(300));
        refresher.active = true;
        set.insert(tokenEnv.toLatin1(), jwt);
        set.insert(tokenEnv.toLatin1() + "_FILE", QFile::encodeName(refresher.file.path()));
    }

    CStrings argv;
    for (const QString &a : command)
        argv.append(QFile::encodeName(a));
    CStrings envp;
    buildEnvironment(envp, set);
    for (auto it = set.begin(); it != set.end(); ++it)
        wipe(it.value());
    const QByteArray file = QFile::encodeName(path);
    ctx.out.flush();
    ctx.err.flush();

    if (!refresher.active) {
        ::execve(file.constData(), argv.pointers(), envp.pointers());
        const int why = errno;
        envp.wipeAll();
        ctx.err << "tessera-cli exec: " << path << ": " << QString::fromLocal8Bit(std::strerror(why)) << '\n';
        ctx.err.flush();
        return why == ENOENT ? kNotFound : kCannotExecute;
    }

    // Supervisor mode. Block what we handle before fork(), so that nothing is lost in between.
    sigset_t handled;
    sigemptyset(&handled);
    for (int s : { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM })
        sigaddset(&handled, s);
    sigset_t original;
    ::sigprocmask(SIG_BLOCK, &handled, &original);
    char **childArgv = argv.pointers();
    char **childEnvp = envp.pointers();
    const pid_t child = ::fork();
    if (child < 0) {
        envp.wipeAll();
        refresher.file.remove();
        ::sigprocmask(SIG_SETMASK, &original, nullptr);
        ctx.err << "tessera-cli exec: cannot start the command: " << QString::fromLocal8Bit(std::strerror(errno))
                << '\n';
        return 1;
    }
    if (child == 0) {
        // Only async-signal-safe calls from here on.
        ::sigprocmask(SIG_SETMASK, &original, nullptr);
        ::execve(file.constData(), childArgv, childEnvp);
        static const char message[] = "tessera-cli exec: cannot execute the command\n";
        (void)!::write(STDERR_FILENO, message, sizeof(message) - 1);
        ::_exit(errno == ENOENT ? kNotFound : kCannotExecute);
    }
    envp.wipeAll(); // the values live on in the child only
    const int status = supervise(child, handled, refresher);
    refresher.file.remove();
    return propagate(status);
}

int runExecGrants(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("state"), QStringLiteral("active, expired, revoked or any (default any)"),
        QStringLiteral("state"), QStringLiteral("any") });
    p.addOption(
        { QStringLiteral("client"), QStringLiteral("Only this client's exec grants"), QStringLiteral("client-id") });
    p.addOption(
        { QStringLiteral("secret"), QStringLiteral("Only grants that hand out this secret"), QStringLiteral("name") });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("exec-grants"),
            QStringLiteral("Lists remembered `tessera-cli exec` approvals (per caller, command line and secrets),\n"
                           "newest first. End one with `tessera-cli revoke ID`.")))
        return *stop;
    QJsonObject params { { QStringLiteral("state"), p.value(QStringLiteral("state")) } };
    if (p.isSet(QStringLiteral("client")))
        params.insert(QStringLiteral("client"), p.value(QStringLiteral("client")));
    if (p.isSet(QStringLiteral("secret")))
        params.insert(QStringLiteral("secret"), p.value(QStringLiteral("secret")));
    auto r = callOperator(ctx, QStringLiteral("exec.grants"), params);
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<QStringList> rows;
    for (const QJsonValue &v : r->toArray()) {
        const QJsonObject g = v.toObject();
        QStringList env;
        for (const QJsonValue &s : g.value(QStringLiteral("env")).toArray())
            env << s.toString();
        const QJsonValue exp = g.value(QStringLiteral("expiresAt"));
        rows.append({ g.value(QStringLiteral("id")).toString(), g.value(QStringLiteral("clientName")).toString(),
            g.value(QStringLiteral("commandLine")).toString(), env.join(u' '),
            g.value(QStringLiteral("state")).toString(),
            exp.isNull() ? QStringLiteral("until revoked") : humanDuration(exp.toInteger() - now),
            QString::number(g.value(QStringLiteral("useCount")).toInteger()) });
    }
    ctx.out << (rows.isEmpty() ? own(QStringLiteral("No exec grants.\n"))
                               : table({ QStringLiteral("ID"), QStringLiteral("CALLER"), QStringLiteral("COMMAND"),
                                           QStringLiteral("SECRETS"), QStringLiteral("STATE"),
                                           QStringLiteral("EXPIRES"), QStringLiteral("USES") },
                                   rows));
    ctx.out.flush();
    return 0;
}

const bool r1 = registerCommand({ QStringLiteral("exec"),
    QStringLiteral("Run a command with secrets: exec --secret NAME[=ENV]... -- COMMAND [ARGS...]"), runExec });
const bool r2 = registerCommand(
    { QStringLiteral("exec-grants"), QStringLiteral("List remembered exec approvals"), runExecGrants });

} // namespace
} // namespace Tessera::Cli
