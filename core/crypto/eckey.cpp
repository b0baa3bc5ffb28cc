// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/eckey.h"

#include "common/logging.h"
#include "crypto/ecdsasig.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/openssl_p.h"

#include <QJsonValue>
#include <QStringList>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <cstring>

namespace Tessera::Crypto {

namespace {

constexpr qsizetype CoordinateSize = 32;
constexpr qsizetype MaxPkcs8Size = 4096;
// OpenSSL's name for P-256 (secp256r1, RFC 5480 §2.1.1.1).
constexpr char P256GroupName[] = "prime256v1";

Error keyError(const char *code, const char *message)
{
    return Error::make(QString::fromLatin1(code), QString::fromLatin1(message));
}

// Appends @p s as a JSON string (RFC 8259 §7) with the minimal escaping.
void appendJsonString(QByteArray &out, const QString &s)
{
    out.append('"');
    for (const char c : s.toUtf8()) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.append('\\').append(c);
        } else if (u < 0x20) {
            out.append("\\u00").append(QByteArray::number(u, 16).rightJustified(2, '0'));
        } else {
            out.append(c);
        }
    }
    out.append('"');
}

bool isP256(EVP_PKEY *key)
{
    if (!key || EVP_PKEY_is_a(key, "EC") != 1)
        return false;
    char name[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, name, sizeof name, &len) != 1) {
        Detail::takeOpenSslError();
        return false;
    }
    return QByteArrayView(name, static_cast<qsizetype>(len)) == QByteArrayView(P256GroupName);
}

// The affine coordinates of an EC key's public point, 32 bytes each.
bool publicCoordinates(EVP_PKEY *key, QByteArray *x, QByteArray *y)
{
    BIGNUM *bx = nullptr;
    BIGNUM *by = nullptr;
    const bool got = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1
        && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &by) == 1;
    const Detail::BignumPtr ox(bx);
    const Detail::BignumPtr oy(by);
    if (!got) {
        qCWarning(lcCrypto) << "cannot read EC public point:" << Detail::takeOpenSslError();
        return false;
    }
    QByteArray xs(CoordinateSize, Qt::Uninitialized);
    QByteArray ys(CoordinateSize, Qt::Uninitialized);
    if (BN_bn2binpad(bx, reinterpret_cast<unsigned char *>(xs.data()), CoordinateSize) != CoordinateSize
        || BN_bn2binpad(by, reinterpret_cast<unsigned char *>(ys.data()), CoordinateSize) != CoordinateSize) {
        Detail::takeOpenSslError();
        return false;
    }
    *x = xs;
    *y = ys;
    return true;
}

// A public-only P-256 key from affine coordinates; null unless the point is valid on the curve.
EvpPkeyPtr publicKeyFromPoint(const QByteArray &x, const QByteArray &y)
{
    if (x.size() != CoordinateSize || y.size() != CoordinateSize)
        return {};
    // SEC 1 §2.3.3 uncompressed point: 0x04 || X || Y.
    std::array<unsigned char, 1 + 2 * CoordinateSize> point {};
    point[0] = 0x04;
    std::memcpy(point.data() + 1, x.constData(), CoordinateSize);
    std::memcpy(point.data() + 1 + CoordinateSize, y.constData(), CoordinateSize);

    char group[sizeof P256GroupName];
    std::memcpy(group, P256GroupName, sizeof group);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end(),
    };

    Detail::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        Detail::takeOpenSslError();
        return {};
    }
    EvpPkeyPtr key(raw);
    // Import already refuses points off the curve; the explicit check also covers the
    // point at infinity and the subgroup (SP 800-56A §5.6.2.3.3).
    Detail::EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        Detail::takeOpenSslError();
        return {};
    }
    return key;
}

QJsonObject makePublicJwk(const QByteArray &x, const QByteArray &y, const QString &kid)
{
    // RFC 7518 §6.2.1; alg and use per RFC 7517 §4.2 and §4.4.
    return QJsonObject {
        { QStringLiteral("kty"), QStringLiteral("EC") },
        { QStringLiteral("crv"), QStringLiteral("P-256") },
        { QStringLiteral("x"), QString::fromLatin1(base64UrlEncode(x)) },
        { QStringLiteral("y"), QString::fromLatin1(base64UrlEncode(y)) },
        { QStringLiteral("kid"), kid },
        { QStringLiteral("alg"), QStringLiteral("ES256") },
        { QStringLiteral("use"), QStringLiteral("sig") },
    };
}

QString thumbprintOf(const QByteArray &x, const QByteArray &y)
{
    return jwkThumbprint(QJsonObject {
        { QStringLiteral("kty"), QStringLiteral("EC") },
        { QStringLiteral("crv"), QStringLiteral("P-256") },
        { QStringLiteral("x"), QString::fromLatin1(base64UrlEncode(x)) },
        { QStringLiteral("y"), QString::fromLatin1(base64UrlEncode(y)) },
    });
}

Result<QByteArray> decodeCoordinate(const QJsonValue &v)
{
    if (!v.isString())
        return keyError("jwk_bad_coordinate", "A JWK coordinate is missing or not a string.");
    Result<QByteArray> bytes = base64UrlDecode(v.toString().toLatin1());
    // RFC 7518 §6.2.1.2: the full coordinate size, even with leading zeros.
    if (!bytes || bytes->size() != CoordinateSize)
        return keyError("jwk_bad_coordinate", "A JWK coordinate is not 32 bytes of base64url.");
    return bytes;
}

} // namespace

void EvpPkeyDeleter::operator()(EVP_PKEY *key) const noexcept
{
    EVP_PKEY_free(key);
}

QByteArray jwkThumbprintInput(const QJsonObject &jwk)
{
    const QJsonValue kty = jwk.value(QStringLiteral("kty"));
    QStringList members;
    // RFC 7638 §3.2: only the required members, sorted by their Unicode code points.
    if (kty == QJsonValue(QStringLiteral("EC")))
        members = { QStringLiteral("crv"), QStringLiteral("kty"), QStringLiteral("x"), QStringLiteral("y") };
    else if (kty == QJsonValue(QStringLiteral("RSA")))
        members = { QStringLiteral("e"), QStringLiteral("kty"), QStringLiteral("n") };
    else
        return {};

    QByteArray out("{");
    for (const QString &name : members) {
        const QJsonValue v = jwk.value(name);
        if (!v.isString())
            return {};
        if (out.size() > 1)
            out.append(',');
        appendJsonString(out, name);
        out.append(':');
        appendJsonString(out, v.toString());
    }
    out.append('}');
    return out;
}

QString jwkThumbprint(const QJsonObject &jwk)
{
    const QByteArray input = jwkThumbprintInput(jwk);
    if (input.isEmpty())
        return {};
    const QByteArray digest = sha256(input);
    if (digest.size() != Sha256Size)
        return {};
    return QString::fromLatin1(base64UrlEncode(digest));
}

// ---- VerificationKey ----

VerificationKey::VerificationKey(EvpPkeyPtr key, QByteArray x, QByteArray y, QString kid)
    : m_key(std::move(key))
    , m_x(std::move(x))
    , m_y(std::move(y))
    , m_thumbprint(thumbprintOf(m_x, m_y))
    , m_kid(kid.isEmpty() ? m_thumbprint : std::move(kid))
{ }

VerificationKey::VerificationKey(const VerificationKey &other)
    : m_x(other.m_x), m_y(other.m_y), m_thumbprint(other.m_thumbprint), m_kid(other.m_kid)
{
    if (other.m_key && EVP_PKEY_up_ref(other.m_key.get()) == 1)
        m_key.reset(other.m_key.get());
}

VerificationKey &VerificationKey::operator=(const VerificationKey &other)
{
    if (this != &other) {
        VerificationKey copy(other);
        *this = std::move(copy);
    }
    return *this;
}

VerificationKey::~VerificationKey() = default;

Result<VerificationKey> VerificationKey::fromJwk(const QJsonObject &jwk)
{
    if (jwk.value(QStringLiteral("kty")) != QJsonValue(QStringLiteral("EC")))
        return keyError("jwk_unsupported_key", "Only EC keys are supported.");
    // RFC 7518 §6.2.2 (d), §6.3.2 (RSA), §6.4.1 (k): a public JWK must carry none of these.
    static const char *const privateMembers[] = { "d", "p", "q", "dp", "dq", "qi", "oth", "k" };
    for (const char *name : privateMembers) {
        if (jwk.contains(QLatin1String(name)))
            return keyError("jwk_private_member", "The JWK contains private key material.");
    }
    if (jwk.value(QStringLiteral("crv")) != QJsonValue(QStringLiteral("P-256")))
        return keyError("jwk_unsupported_curve", "Only the P-256 curve is supported.");
    if (jwk.contains(QStringLiteral("alg")) && jwk.value(QStringLiteral("alg")) != QJsonValue(QStringLiteral("ES256")))
        return keyError("jwk_bad_alg", "The JWK is meant for an algorithm other than ES256.");
    if (jwk.contains(QStringLiteral("use")) && jwk.value(QStringLiteral("use")) != QJsonValue(QStringLiteral("sig")))
        return keyError("jwk_bad_use", "The JWK is not meant for signatures.");
    QString kid;
    if (jwk.contains(QStringLiteral("kid"))) {
        const QJsonValue k = jwk.value(QStringLiteral("kid"));
        if (!k.isString() || k.toString().isEmpty())
            return keyError("jwk_malformed", "The JWK key id is not a non-empty string.");
        kid = k.toString();
    }

    Result<QByteArray> x = decodeCoordinate(jwk.value(QStringLiteral("x")));
    if (!x)
        return x.error();
    Result<QByteArray> y = decodeCoordinate(jwk.value(QStringLiteral("y")));
    if (!y)
        return y.error();
    EvpPkeyPtr key = publicKeyFromPoint(*x, *y);
    if (!key)
        return keyError("jwk_not_on_curve", "The JWK is not a valid point on P-256.");
    return VerificationKey(std::move(key), std::move(*x), std::move(*y), kid);
}

QJsonObject VerificationKey::publicJwk() const
{
    return makePublicJwk(m_x, m_y, m_kid);
}

bool VerificationKey::verifyEs256(QByteArrayView signingInput, QByteArrayView rawSignature) const
{
    if (!m_key)
        return false;
    const Result<QByteArray> der = es256RawToDer(rawSignature);
    if (!der)
        return false;
    Detail::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1) {
        qCWarning(lcCrypto) << "cannot set up ES256 verification:" << Detail::takeOpenSslError();
        return false;
    }
    const int rc = EVP_DigestVerify(ctx.get(), Detail::bytes(*der), static_cast<size_t>(der->size()),
        Detail::bytes(signingInput), static_cast<size_t>(signingInput.size()));
    if (rc != 1)
        Detail::takeOpenSslError();
    return rc == 1;
}

// ---- SigningKey ----

SigningKey::SigningKey(EvpPkeyPtr key, QByteArray x, QByteArray y)
    : m_key(std::move(key)), m_x(std::move(x)), m_y(std::move(y)), m_kid(thumbprintOf(m_x, m_y))
{ }

SigningKey::~SigningKey() = default;

Result<SigningKey> SigningKey::fromPrivateKey(EvpPkeyPtr key)
{
    if (!isP256(key.get()))
        return keyError("eckey_wrong_type", "The key is not an EC P-256 key.");
    // Full check: scalar range, public point valid, and the two halves belong together.
    Detail::EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_check(check.get()) != 1) {
        Detail::takeOpenSslError();
        return keyError("eckey_invalid", "The EC private key is not valid.");
    }
    QByteArray x;
    QByteArray y;
    if (!publicCoordinates(key.get(), &x, &y))
        return keyError("eckey_invalid", "The EC public point cannot be read.");
    return SigningKey(std::move(key), std::move(x), std::move(y));
}

Result<SigningKey> SigningKey::generate()
{
    Detail::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_group_name(ctx.get(), P256GroupName) != 1
        || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
        qCWarning(lcCrypto) << "P-256 key generation failed:" << Detail::takeOpenSslError();
        return keyError("eckey_generate_failed", "Generating a signing key failed.");
    }
    return fromPrivateKey(EvpPkeyPtr(raw));
}

Result<SigningKey> SigningKey::fromPkcs8Der(QByteArrayView der)
{
    if (der.isEmpty() || der.size() > MaxPkcs8Size)
        return keyError("eckey_malformed", "The private key is not PKCS#8 DER.");
    const unsigned char *p = Detail::bytes(der);
    const unsigned char *const end = p + der.size();
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
    if (!p8 || p != end) {
        PKCS8_PRIV_KEY_INFO_free(p8);
        Detail::takeOpenSslError();
        return keyError("eckey_malformed", "The private key is not PKCS#8 DER.");
    }
    EvpPkeyPtr key(EVP_PKCS82PKEY(p8));
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (!key) {
        Detail::takeOpenSslError();
        return keyError("eckey_malformed", "The private key is not PKCS#8 DER.");
    }
    return fromPrivateKey(std::move(key));
}

QByteArray SigningKey::toPkcs8Der() const
{
    if (!m_key)
        return {};
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(m_key.get());
    if (!p8) {
        Detail::takeOpenSslError();
        return {};
    }
    unsigned char *der = nullptr;
    const int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (len <= 0 || !der) {
        Detail::takeOpenSslError();
        return {};
    }
    QByteArray out(reinterpret_cast<const char *>(der), len);
    // Scrub OpenSSL's copy; the caller owns (and must not log) the returned one.
    OPENSSL_clear_free(der, static_cast<size_t>(len));
    return out;
}

QJsonObject SigningKey::publicJwk() const
{
    return makePublicJwk(m_x, m_y, m_kid);
}

Result<VerificationKey> SigningKey::verificationKey() const
{
    EvpPkeyPtr pub = publicKeyFromPoint(m_x, m_y);
    if (!pub)
        return keyError("eckey_invalid", "The public half of the signing key cannot be extracted.");
    return VerificationKey(std::move(pub), m_x, m_y, m_kid);
}

Result<QByteArray> SigningKey::signEs256(QByteArrayView signingInput) const
{
    if (!m_key)
        return keyError("eckey_invalid", "The signing key is empty.");
    Detail::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1
        || EVP_DigestSign(
               ctx.get(), nullptr, &len, Detail::bytes(signingInput), static_cast<size_t>(signingInput.size()))
            != 1) {
        qCWarning(lcCrypto) << "cannot set up ES256 signing:" << Detail::takeOpenSslError();
        return keyError("eckey_sign_failed", "Signing failed.");
    }
    QByteArray der(static_cast<qsizetype>(len), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(der.data()), &len, Detail::bytes(signingInput),
            static_cast<size_t>(signingInput.size()))
        != 1) {
        qCWarning(lcCrypto) << "ES256 signing failed:" << Detail::takeOpenSslError();
        return keyError("eckey_sign_failed", "Signing failed.");
    }
    der.truncate(static_cast<qsizetype>(len));
    return es256DerToRaw(der);
}

} // namespace Tessera::Crypto
