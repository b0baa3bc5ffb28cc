// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/response.h"

#include <QString>

namespace Tessera::OAuth::Pages {

/**
 * @brief The page a browser shows while the person decides in Tessera. It continues on its
 * own (a meta refresh to the held wait URL), needs no script, loads nothing third-party,
 * and shows client-supplied text escaped and marked as self-asserted.
 */
[[nodiscard]] Http::Response waiting(
    const QString &clientName, const QString &resourceName, const QString &waitPath, const QByteArray &setCookie);

/**
 * @brief What a held wait request gets when the server needs its connection (R7a): the same
 * wait, asked again after @p retrySecs by a meta refresh. The answer is kept until then.
 */
[[nodiscard]] Http::Response stillWaiting(const QString &waitPath, int retrySecs);

/** @brief An error that must not be redirected (unknown client, bad redirect URI): shown here. */
[[nodiscard]] Http::Response error(int status, const QString &title, const QString &detail);

/** @brief HTML-escapes @p text for element content and attribute values. */
[[nodiscard]] QString escape(const QString &text);

} // namespace Tessera::OAuth::Pages
