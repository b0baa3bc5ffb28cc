// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Tessera {

/**
 * @brief A failure a person or a script can act on.
 *
 * `code` is stable and machine-readable (snake_case, e.g. "keychain_unavailable");
 * `message` is one plain sentence for a person. Neither may ever contain a secret,
 * a token or a code: errors end up in logs, UIs and IPC replies.
 */
struct Error
{
    QString code;
    QString message;

    [[nodiscard]] static Error make(QString code, QString message)
    {
        return Error { std::move(code), std::move(message) };
    }
    [[nodiscard]] QString toString() const { return message.isEmpty() ? code : code + QStringLiteral(": ") + message; }
    bool operator==(const Error &) const = default;
};

} // namespace Tessera
