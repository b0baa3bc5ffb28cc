// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to core/crypto: owning pointers for OpenSSL objects and error-queue handling.

#include <QByteArray>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>

namespace Tessera::Crypto::Detail {

struct EvpPkeyCtxFree
{
    void operator()(EVP_PKEY_CTX *p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct EvpMdCtxFree
{
    void operator()(EVP_MD_CTX *p) const noexcept { EVP_MD_CTX_free(p); }
};
struct BignumFree
{
    void operator()(BIGNUM *p) const noexcept { BN_free(p); }
};
struct EcdsaSigFree
{
    void operator()(ECDSA_SIG *p) const noexcept { ECDSA_SIG_free(p); }
};

using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

/**
 * Empties OpenSSL's thread-local error queue and returns the first reason, for debug logs only.
 * Every failure path calls it so that a stale error never leaks into an unrelated later call.
 */
QByteArray takeOpenSslError();

inline const unsigned char *bytes(QByteArrayView v)
{
    return reinterpret_cast<const unsigned char *>(v.data());
}

} // namespace Tessera::Crypto::Detail
