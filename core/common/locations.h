// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QString>

class QCommandLineParser;

namespace Tessera {

/**
 * @brief Where Tessera keeps its files and which port it serves, resolved once at start.
 *
 * Precedence for every value: command-line flag, then environment variable, then the
 * platform default. The overrides exist so that tests and several instances never collide.
 *
 * | what            | flag                 | environment                 | default                               |
 * |-----------------|----------------------|-----------------------------|---------------------------------------|
 * | data            | --data-dir           | TESSERA_DATA_DIR            | $XDG_DATA_HOME/tessera                |
 * | config          | --config-dir         | TESSERA_CONFIG_DIR          | $XDG_CONFIG_HOME/tessera              |
 * | sockets, lock   | --runtime-dir        | TESSERA_RUNTIME_DIR         | $XDG_RUNTIME_DIR/tessera (else
 * /tmp/tessera-<uid>) | | HTTP port       | --port               | TESSERA_PORT                | 7391 | | keychain
 * service| --keychain-service   | TESSERA_KEYCHAIN_SERVICE    | org.tessera.Tessera                   |
 */
struct Locations
{
    static constexpr quint16 DefaultPort = 7391;

    QString dataDir;
    QString configDir;
    QString runtimeDir;
    QString keychainService;
    quint16 port = DefaultPort;

    /** @brief Adds the override flags above to a parser (tessera and tessera-cli share them). */
    static void addOptions(QCommandLineParser &parser);
    /** @brief Resolves every value; the parser may be null (environment and defaults only). */
    [[nodiscard]] static Result<Locations> resolve(const QCommandLineParser *parser);

    [[nodiscard]] QString databasePath() const;
    [[nodiscard]] QString clientSocketPath() const;
    [[nodiscard]] QString operatorSocketPath() const;
    [[nodiscard]] QString lockFilePath() const;
    [[nodiscard]] QString issuer() const;

    /** @brief Creates data, config and runtime directories as 0700 and refuses ones owned by someone else. */
    [[nodiscard]] Status ensureDirectories() const;
};

/**
 * @brief Creates @p path (and parents) and makes it a private directory: mode 0700, owned by us.
 *
 * Fails with a clear error if the path exists but is not a directory or belongs to another user.
 */
[[nodiscard]] Status ensurePrivateDirectory(const QString &path);

} // namespace Tessera
