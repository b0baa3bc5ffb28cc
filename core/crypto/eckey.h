// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <openssl/types.h>

#include <memory>

namespace Tessera::Crypto {

/** @brief Frees an EVP_PKEY; lets keys own theirs through std::unique_ptr. */
struct EvpPkeyDeleter
{
    void operator()(EVP_PKEY *key) const noexcept;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

/**
 * @brief The RFC 7638 §3 thumbprint input: the required public members in lexicographic order,
 * no whitespace.
 *
 * EC: {"crv","kty","x","y"}; RSA: {"e","kty","n"}. Other members (kid, alg, use, d, ...) are
 * ignored. Returns an empty array for another kty or a missing or non-string required member.
 */
[[nodiscard]] QByteArray jwkThumbprintInput(const QJsonObject &jwk);

/** @brief RFC 7638 JWK thumbprint: base64url(SHA-256(jwkThumbprintInput)); empty if there is no input. */
[[nodiscard]] QString jwkThumbprint(const QJsonObject &jwk);

class SigningKey;

/**
 * @brief A P-256 public key that verifies ES256 signatures. Holds no private material.
 *
 * Copies share the immutable EVP_PKEY (reference counted).
 */
class VerificationKey
{
public:
    /**
     * @brief Strictly imports a public JWK (RFC 7517, RFC 7518 §6.2).
     *
     * Requires kty "EC", crv "P-256", x and y canonical base64url of exactly 32 bytes each, and
     * a point on the curve. Rejects any private member (d, and p, q, dp, dq, qi, oth, k), an
     * "alg" other than "ES256" and a "use" other than "sig". A "kid" member, if present, must be
     * a non-empty string and becomes kid(); otherwise kid() is the RFC 7638 thumbprint.
     */
    [[nodiscard]] static Result<VerificationKey> fromJwk(const QJsonObject &jwk);

    VerificationKey(const VerificationKey &other);
    VerificationKey &operator=(const VerificationKey &other);
    VerificationKey(VerificationKey &&) noexcept = default;
    VerificationKey &operator=(VerificationKey &&) noexcept = default;
    ~VerificationKey();

    /** @brief The key id: the JWK's "kid" if it had one, else thumbprint(). */
    [[nodiscard]] QString kid() const { return m_kid; }
    /** @brief RFC 7638 thumbprint of the public key. */
    [[nodiscard]] QString thumbprint() const { return m_thumbprint; }
    /** @brief {kty, crv, x, y, kid, alg: ES256, use: sig}: safe to publish in a JWKS. */
    [[nodiscard]] QJsonObject publicJwk() const;

    /**
     * @brief Verifies a 64-byte R || S ES256 signature (RFC 7518 §3.4) over @p signingInput.
     *
     * False for a wrong length or R, S outside [1, n-1] as well as for a bad signature.
     */
    [[nodiscard]] bool verifyEs256(QByteArrayView signingInput, QByteArrayView rawSignature) const;

private:
    friend class SigningKey;
    VerificationKey(EvpPkeyPtr key, QByteArray x, QByteArray y, QString kid);

    EvpPkeyPtr m_key;
    QByteArray m_x;
    QByteArray m_y;
    QString m_thumbprint;
    QString m_kid;
};

/**
 * @brief An ES256 (ECDSA P-256 / SHA-256) private key. Move-only; owns its EVP_PKEY.
 *
 * The kid is the RFC 7638 thumbprint of the public key, so the same key always gets the same
 * kid, before and after a trip through the keychain.
 */
class SigningKey
{
public:
    /** @brief A fresh P-256 key from OpenSSL's CSPRNG. */
    [[nodiscard]] static Result<SigningKey> generate();

    /**
     * @brief Loads a PKCS#8 PrivateKeyInfo (DER) as written by toPkcs8Der().
     *
     * Rejects trailing bytes, keys other than EC on P-256 ("eckey_wrong_type"), and keys whose
     * private and public halves do not match.
     */
    [[nodiscard]] static Result<SigningKey> fromPkcs8Der(QByteArrayView der);

    SigningKey(SigningKey &&) noexcept = default;
    SigningKey &operator=(SigningKey &&) noexcept = default;
    SigningKey(const SigningKey &) = delete;
    SigningKey &operator=(const SigningKey &) = delete;
    ~SigningKey();

    /**
     * @brief SECRET: the private key as PKCS#8 PrivateKeyInfo (DER).
     *
     * This is what goes into the keychain and nowhere else: callers must never log it, put it
     * in an error, or write it to a file. Empty only if OpenSSL fails to encode.
     */
    [[nodiscard]] QByteArray toPkcs8Der() const;

    /** @brief The public half as a JWK for the JWKS: never contains "d". */
    [[nodiscard]] QJsonObject publicJwk() const;
    /** @brief RFC 7638 thumbprint of the public key (base64url SHA-256). */
    [[nodiscard]] QString kid() const { return m_kid; }
    /** @brief A public-only copy of this key for verification. */
    [[nodiscard]] Result<VerificationKey> verificationKey() const;

    /** @brief Signs @p signingInput; returns the 64-byte JOSE R || S signature (RFC 7518 §3.4). */
    [[nodiscard]] Result<QByteArray> signEs256(QByteArrayView signingInput) const;

private:
    SigningKey(EvpPkeyPtr key, QByteArray x, QByteArray y);
    [[nodiscard]] static Result<SigningKey> fromPrivateKey(EvpPkeyPtr key);

    EvpPkeyPtr m_key;
    QByteArray m_x;
    QByteArray m_y;
    QString m_kid;
};

} // namespace Tessera::Crypto
