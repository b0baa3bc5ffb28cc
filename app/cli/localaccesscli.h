// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cli.h"

#include <QByteArray>

#include <optional>

/**
 * @file
 * @brief Helpers shared by the local-access commands (token, exec, secret, audit, watch).
 */
namespace Tessera::Cli {

/**
 * @brief One call on the client socket that may wait for a person: no timeout, and a
 * "waiting for your decision" line on stderr when stderr is a terminal.
 */
[[nodiscard]] Result<QJsonValue> callClientWaiting(
    const Context &ctx, const QString &method, const QJsonObject &params);

/** @brief "30s", "10m", "2h", "3d" ago, or a local date/time "2026-01-31", "2026-01-31T09:30[:00]". Unix ms. */
[[nodiscard]] std::optional<qint64> parseSince(const QString &text, qint64 nowMs);

/** @brief Overwrites the bytes of @p data (best effort: Qt may have copied them elsewhere). */
void wipe(QByteArray &data);

} // namespace Tessera::Cli
