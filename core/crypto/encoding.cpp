// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/encoding.h"

namespace Tessera::Crypto {

namespace {

constexpr int sextet(char c) noexcept
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

Error invalid()
{
    return Error::make(
        QStringLiteral("base64url_invalid"), QStringLiteral("The value is not canonical unpadded base64url."));
}

} // namespace

QByteArray base64UrlEncode(QByteArrayView data)
{
    return data.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Result<QByteArray> base64UrlDecode(QByteArrayView encoded)
{
    // A single leftover character carries only 6 bits: never a whole byte.
    if (encoded.size() % 4 == 1)
        return invalid();

    QByteArray out;
    out.reserve(encoded.size() * 3 / 4);
    quint32 acc = 0;
    int bits = 0;
    for (const char c : encoded) {
        const int v = sextet(c);
        if (v < 0)
            return invalid();
        acc = ((acc << 6) | static_cast<quint32>(v)) & 0xFFFFFFu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.append(static_cast<char>((acc >> bits) & 0xFFu));
        }
    }
    // RFC 4648 §3.5: the pad bits must be zero; otherwise several strings decode to the same bytes.
    if (bits > 0 && (acc & ((1u << bits) - 1u)) != 0)
        return invalid();
    return out;
}

} // namespace Tessera::Crypto
