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

class QCommandLineParser;
#include <optional>

namespace Tessera::Cli {

/** @brief What every command gets: resolved locations, output streams, global flags. */
struct Context
{
    Locations locations;
    bool json = false;
    QTextStream &out;
    QTextStream &err;

    /** @brief The client socket: what an agent may use. */
    [[nodiscard]] Result<Ipc::IpcClient> connectClient() const;
    /** @brief The operator socket: approvals, revocation, secrets. */
    [[nodiscard]] Result<Ipc::IpcClient> connectOperator() const;

    /** @brief Prints the error for a person and returns its exit code. */
    int fail(const Error &error) const;
    /** @brief Prints a usage error (with a pointer to --help) and returns Usage. */
    int usage(const QString &command, const QString &message) const;
    /** @brief Prints a JSON value on stdout (for --json). */
    void printJson(const QJsonValue &value) const;
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

/** @brief Renders rows as an aligned plain-text table (no colours, no truncation). */
[[nodiscard]] QString table(const QStringList &header, const QList<QStringList> &rows);

} // namespace Tessera::Cli
