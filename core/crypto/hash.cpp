// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/hash.h"

#include "common/logging.h"
#include "crypto/openssl_p.h"

#include <openssl/evp.h>

namespace Tessera::Crypto {

QByteArray sha256(QByteArrayView data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), static_cast<size_t>(data.size()), md, &len, EVP_sha256(), nullptr) != 1
        || len != Sha256Size) {
        qCWarning(lcCrypto) << "SHA-256 failed:" << Detail::takeOpenSslError();
        return {};
    }
    return QByteArray(reinterpret_cast<const char *>(md), static_cast<qsizetype>(len));
}

} // namespace Tessera::Crypto
