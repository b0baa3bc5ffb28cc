// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/ctequal.h"

#include "crypto/hash.h"

#include <openssl/crypto.h>

namespace Tessera::Crypto {

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    const QByteArray ha = sha256(a);
    const QByteArray hb = sha256(b);
    if (ha.size() != Sha256Size || hb.size() != Sha256Size)
        return false;
    return CRYPTO_memcmp(ha.constData(), hb.constData(), static_cast<size_t>(Sha256Size)) == 0;
}

} // namespace Tessera::Crypto
