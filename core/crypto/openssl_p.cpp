// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/openssl_p.h"

#include <openssl/err.h>

namespace Tessera::Crypto::Detail {

QByteArray takeOpenSslError()
{
    const unsigned long first = ERR_peek_error();
    ERR_clear_error();
    if (first == 0)
        return QByteArrayLiteral("no OpenSSL error recorded");
    const char *reason = ERR_reason_error_string(first);
    return reason ? QByteArray(reason) : QByteArray::number(static_cast<qulonglong>(first), 16);
}

} // namespace Tessera::Crypto::Detail
