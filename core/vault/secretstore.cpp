// SPDX-License-Identifier: GPL-3.0-or-later
#include "vault/secretstore.h"

namespace Tessera::Vault {

namespace {

Error invalidKey(const QString &why)
{
    return Error::make(QString(Errors::InvalidKey), why);
}

// A segment that must not contain '/' (kid, name, client).
bool isPlainSegment(QStringView s)
{
    return !s.isEmpty() && !s.contains(QLatin1Char('/'));
}

} // namespace

SecretStore::SecretStore(QObject *parent) : QObject(parent) { }

SecretStore::~SecretStore() = default;

Status SecretStore::validateKey(const QString &key)
{
    if (key.isEmpty())
        return invalidKey(QStringLiteral("The secret's name is empty."));
    if (key.size() > MaxKeyLength)
        return invalidKey(QStringLiteral("The secret's name is longer than %1 characters.").arg(MaxKeyLength));
    for (const QChar c : key) {
        // Printable ASCII without spaces: names end up in keychain UIs, logs and command lines.
        if (c.unicode() < 0x21 || c.unicode() > 0x7e)
            return invalidKey(
                QStringLiteral("The secret's name may only contain printable ASCII characters without spaces."));
    }

    const QStringView k(key);
    static constexpr QLatin1String signingKey("signing-key/");
    static constexpr QLatin1String secret("secret/");
    static constexpr QLatin1String clientToken("client-token/");
    if (k.startsWith(signingKey) && isPlainSegment(k.mid(signingKey.size())))
        return {};
    if (k.startsWith(secret) && isPlainSegment(k.mid(secret.size())))
        return {};
    if (k.startsWith(clientToken)) {
        const QStringView rest = k.mid(clientToken.size());
        const qsizetype slash = rest.indexOf(QLatin1Char('/'));
        if (slash > 0 && slash + 1 < rest.size())
            return {};
    }
    return invalidKey(QStringLiteral("The secret's name must have the form signing-key/<kid>, secret/<name> "
                                     "or client-token/<client>/<resource>."));
}

} // namespace Tessera::Vault
