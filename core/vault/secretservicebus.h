// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to core/vault: small asynchronous D-Bus queries about the freedesktop Secret Service
// that QtKeychain 0.13.2 cannot answer itself. Not part of the public API.

#include "common/result.h"

#include <QMap>
#include <QString>

#include <functional>

class QObject;

namespace Tessera::Vault::Internal {

/** @brief Items of the Secret Service that match some attributes, by lock state. */
struct ItemCounts
{
    qsizetype unlocked = 0;
    qsizetype locked = 0;
};

/**
 * @brief Checks, without blocking, that the Secret Service can be used from this process.
 *
 * Fails with keychain_unavailable when there is no session bus, when libsecret (which QtKeychain
 * loads at run time) is missing, when the event loop cannot drive libsecret's GLib callbacks, or
 * when org.freedesktop.secrets has no owner and cannot be activated. @p done runs exactly once
 * from the event loop, unless @p context is destroyed first. Each D-Bus call is bounded by
 * @p timeoutMs.
 */
void checkSecretService(QObject *context, int timeoutMs, std::function<void(Status)> done);

/**
 * @brief Secret Service SearchItems(@p attributes): how many matching items are unlocked and
 * locked. Searching needs no unlock and shows no prompt.
 */
void searchItems(QObject *context, const QMap<QString, QString> &attributes, int timeoutMs,
    std::function<void(Result<ItemCounts>)> done);

/** @brief The keychain_unavailable error for "no Secret Service on the bus". */
[[nodiscard]] Error noSecretServiceError();

} // namespace Tessera::Vault::Internal
