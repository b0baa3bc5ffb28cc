// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/random.h"

#include "common/logging.h"
#include "crypto/encoding.h"
#include "crypto/openssl_p.h"

#include <openssl/rand.h>

namespace Tessera::Crypto {

Result<QByteArray> randomBytes(int n)
{
    if (n < 0 || n > MaxRandomBytes)
        return Error::make(
            QStringLiteral("random_bad_size"), QStringLiteral("The requested number of random bytes is out of range."));
    QByteArray out(n, Qt::Uninitialized);
    if (n == 0)
        return out;
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), n) != 1) {
        qCWarning(lcCrypto) << "RAND_bytes failed:" << Detail::takeOpenSslError();
        // Fail closed: never hand out a partially filled buffer.
        out.fill('\0');
        return Error::make(
            QStringLiteral("random_failed"), QStringLiteral("The system random number generator failed."));
    }
    return out;
}

Result<QString> randomToken(int bytes)
{
    if (bytes < MinTokenBytes)
        return Error::make(
            QStringLiteral("random_too_short"), QStringLiteral("A token needs at least 128 bits of randomness."));
    Result<QByteArray> raw = randomBytes(bytes);
    if (!raw)
        return raw.error();
    QString token = QString::fromLatin1(base64UrlEncode(*raw));
    raw->fill('\0');
    return token;
}

} // namespace Tessera::Crypto
