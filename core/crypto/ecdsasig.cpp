// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/ecdsasig.h"

#include "crypto/openssl_p.h"

#include <openssl/crypto.h>
#include <openssl/ec.h>

#include <cstring>

namespace Tessera::Crypto {

namespace {

constexpr qsizetype ScalarSize = Es256SignatureSize / 2;

// Order n of the P-256 base point (SEC 2 v2 §2.4.2, FIPS 186-4 D.1.2.3).
constexpr unsigned char P256Order[ScalarSize] = {
    0xFF,
    0xFF,
    0xFF,
    0xFF,
    0x00,
    0x00,
    0x00,
    0x00,
    0xFF,
    0xFF,
    0xFF,
    0xFF,
    0xFF,
    0xFF,
    0xFF,
    0xFF,
    0xBC,
    0xE6,
    0xFA,
    0xAD,
    0xA7,
    0x17,
    0x9E,
    0x84,
    0xF3,
    0xB9,
    0xCA,
    0xC2,
    0xFC,
    0x63,
    0x25,
    0x51,
};

// 1 <= v <= n-1 for a 32-byte big-endian scalar.
bool inScalarRange(const unsigned char *v)
{
    bool nonZero = false;
    for (qsizetype i = 0; i < ScalarSize; ++i)
        nonZero = nonZero || v[i] != 0;
    return nonZero && std::memcmp(v, P256Order, ScalarSize) < 0;
}

Error badSignature()
{
    return Error::make(QStringLiteral("ecdsa_bad_signature"), QStringLiteral("The ECDSA signature is malformed."));
}

} // namespace

Result<QByteArray> es256DerToRaw(QByteArrayView der)
{
    const unsigned char *p = Detail::bytes(der);
    const unsigned char *const end = p + der.size();
    Detail::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig || p != end) {
        Detail::takeOpenSslError();
        return badSignature();
    }
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    if (!r || !s || BN_is_negative(r) || BN_is_negative(s))
        return badSignature();

    QByteArray raw(Es256SignatureSize, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    // BN_bn2binpad fails (-1) if the value needs more than 32 bytes.
    if (BN_bn2binpad(r, out, ScalarSize) != ScalarSize || BN_bn2binpad(s, out + ScalarSize, ScalarSize) != ScalarSize) {
        Detail::takeOpenSslError();
        return badSignature();
    }
    if (!inScalarRange(out) || !inScalarRange(out + ScalarSize))
        return badSignature();
    return raw;
}

Result<QByteArray> es256RawToDer(QByteArrayView raw)
{
    if (raw.size() != Es256SignatureSize)
        return badSignature();
    const unsigned char *in = Detail::bytes(raw);
    // RFC 7518 §3.4 / FIPS 186-4 §6.4: r and s must be in [1, n-1].
    if (!inScalarRange(in) || !inScalarRange(in + ScalarSize))
        return badSignature();

    Detail::BignumPtr r(BN_bin2bn(in, ScalarSize, nullptr));
    Detail::BignumPtr s(BN_bin2bn(in + ScalarSize, ScalarSize, nullptr));
    Detail::EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
        Detail::takeOpenSslError();
        return badSignature();
    }
    // ECDSA_SIG_set0 took ownership.
    (void)r.release();
    (void)s.release();

    unsigned char *der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0 || !der) {
        Detail::takeOpenSslError();
        return badSignature();
    }
    QByteArray out(reinterpret_cast<const char *>(der), len);
    OPENSSL_free(der);
    return out;
}

} // namespace Tessera::Crypto
