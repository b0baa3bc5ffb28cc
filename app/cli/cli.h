// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/locations.h"
#include "ipc/ipcclient.h"
#include "ipc/protocol.h"

#include <QJsonValue>
#include <QList>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <optional>
#include <type_traits>

class QCommandLineParser;

namespace Tessera::Cli {

/** @brief Text that tessera-cli composed itself or already escaped: a Printer writes it as it is. */
struct Shown
{
    QString text;
};

/** @brief Text of tessera-cli's own (help, messages with line breaks): printed unchanged. */
[[nodiscard]] inline Shown own(QString text)
{
    return Shown { std::move(text) };
}
/** @brief An executable path, escaped, look-alike slashes too (displaySafePath()). */
[[nodiscard]] Shown pathText(QStringView path);
/**
 * @brief Where a client's name came from, for a person: for local clients the file name of
 * the executable (which the caller chose), else self-asserted unless the person registered it.
 */
[[nodiscard]] const char *nameNote(const QString &kind);
/** @brief Shown under a process chain with a look-alike slash in a path (isLookalikeSlash()). */
inline constexpr const char *kLookalikeWarning = "an executable path contains a character that looks like '/' (shown "
                                                 "as \\u{...}): the directory is not what it seems";
/** @brief Under a command line that displaySafe() changed: how to read it. */
inline constexpr const char *kEscapeLegend
    = "(shown escaped: \\\\ is one backslash, \\n a line break, \\xNN and \\u{XXXX} an invisible character)";
/** @brief A client's name quoted and escaped, with its nameNote() in parentheses. */
[[nodiscard]] Shown clientNameText(const QString &name, const QString &kind);

/**
 * @brief The only way tessera-cli writes for a person (issue 9, R1).
 *
 * A QString is text that may have come from somewhere else (a reply of Tessera carries client
 * names, executable paths, command lines, error messages), so it is escaped with
 * displaySafe(): no control character, escape sequence, bidi control or line separator of it
 * reaches the terminal, and a newline in it cannot start a line. Only string literals,
 * numbers and characters of tessera-cli's own code, and Shown text, pass unchanged: a call site
 * that forgets to escape is escaped anyway, one that forgets own() shows a line break as "\n".
 * (A const char * is taken for a literal: never print qPrintable() of someone else's text.)
 */
class Printer
{
public:
    explicit Printer(QTextStream &stream) : m_stream(stream) { }

    // const: a Printer only refers to its stream, so a const Context can print.
    const Printer &operator<<(const QString &text) const;
    const Printer &operator<<(const Shown &text) const;
    const Printer &operator<<(const char *literal) const;
    const Printer &operator<<(char c) const;
    template<typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, char> && !std::is_same_v<T, bool>) const Printer &operator<<(
        T number) const
    {
        m_stream << number;
        return *this;
    }
    // Bytes and single UTF-16 units have no obvious meaning here: say which.
    const Printer &operator<<(const QByteArray &) const = delete;
    const Printer &operator<<(QChar) const = delete;
    const Printer &operator<<(char16_t) const = delete;
    const Printer &operator<<(bool) const = delete;

    /** @brief Serialized JSON, made safe with jsonDisplaySafe() (same value, no raw C1/bidi/separators). */
    void writeJson(const QByteArray &json) const;
    void flush() const { m_stream.flush(); }

private:
    QTextStream &m_stream;
};

/** @brief What every command gets: resolved locations, output streams, global flags. */
struct Context
{
    Locations locations;
    bool json = false;
    Printer out;
    Printer err;

    /** @brief The client socket: what an agent may use. */
    [[nodiscard]] Result<Ipc::IpcClient> connectClient() const;
    /** @brief The operator socket: approvals, revocation, secrets. */
    [[nodiscard]] Result<Ipc::IpcClient> connectOperator() const;

    /** @brief Prints the error for a person and returns its exit code. */
    int fail(const Error &error) const;
    /** @brief Prints a usage error (with a pointer to --help) and returns Usage. */
    int usage(const QString &command, const QString &message) const;
    /** @brief Prints a JSON value on stdout (for --json), indented; see Printer::writeJson(). */
    void printJson(const QJsonValue &value) const;
    /** @brief Prints one JSON object on one line of stdout (event streams); see Printer::writeJson(). */
    void printJsonLine(const QJsonObject &object) const;
};

/**
 * @brief Parses a command's arguments (adding --help). Returns the exit code to stop with
 * (help shown, usage error), or nothing to go on.
 */
[[nodiscard]] std::optional<int> parseArgs(Context &ctx, QCommandLineParser &parser, const QStringList &args,
    const QString &command, const QString &description);

/** @brief One call on the operator socket (connect, call, disconnect). */
[[nodiscard]] Result<QJsonValue> callOperator(
    const Context &ctx, const QString &method, const QJsonObject &params = {}, int timeoutMs = 10000);
/** @brief One call on the client socket. */
[[nodiscard]] Result<QJsonValue> callClient(
    const Context &ctx, const QString &method, const QJsonObject &params = {}, int timeoutMs = 10000);

/** @brief "12 s", "5 min", "3 h", "2 d" until/since @p secs from now (negative: ago). */
[[nodiscard]] QString humanDuration(qint64 secs);
/** @brief A Unix time as local "YYYY-MM-DD HH:MM", or "-" for null. */
[[nodiscard]] QString humanTime(const QJsonValue &unixSecs);

struct Command
{
    QString name;
    QString summary; ///< one line for `tessera-cli --help`
    std::function<int(Context &, const QStringList &args)> run; ///< args start with the command name
};

/** @brief Commands register themselves from their own source file. */
bool registerCommand(Command command);
[[nodiscard]] const QList<Command> &commands();

/** @brief Maps an error code from Tessera to the documented exit code. */
[[nodiscard]] Ipc::ExitCode exitCodeFor(const Error &error);

/**
 * @brief Renders rows as an aligned plain-text table (no colours, no truncation). Every cell
 * is escaped (displaySafe()): a table cell cannot break its line or move the cursor.
 */
[[nodiscard]] Shown table(const QStringList &header, const QList<QStringList> &rows);

} // namespace Tessera::Cli
