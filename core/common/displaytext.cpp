// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/displaytext.h"

#include <QByteArray>
#include <QList>

namespace Tessera {

bool isUnsafeForDisplay(char32_t c)
{
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F))
        return true; // C0, DEL, C1 (ECMA-48: ESC, CSI and OSC start sequences)
    switch (c) {
    case 0x061C: // ARABIC LETTER MARK
    case 0x200E: // LRM
    case 0x200F: // RLM
    case 0x2028: // LINE SEPARATOR
    case 0x2029: // PARAGRAPH SEPARATOR
    case 0xFEFF: // ZERO WIDTH NO-BREAK SPACE
    case 0x00AD: // SOFT HYPHEN
        return true;
    default:
        break;
    }
    if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) // UAX #9 embeddings, isolates
        return true;
    if ((c >= 0x200B && c <= 0x200D) || (c >= 0x2060 && c <= 0x2064))
        return true; // zero-width characters
    if ((c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
        return true; // non-characters
    if (c >= 0xE0000 && c <= 0xE007F)
        return true; // tag characters (invisible)
    return false;
}

bool isLookalikeSlash(char32_t c)
{
    switch (c) {
    case 0x0337: // COMBINING SHORT SOLIDUS OVERLAY
    case 0x0338: // COMBINING LONG SOLIDUS OVERLAY
    case 0x1735: // PHILIPPINE SINGLE PUNCTUATION
    case 0x2044: // FRACTION SLASH
    case 0x2215: // DIVISION SLASH
    case 0x2571: // BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT
    case 0x27CB: // MATHEMATICAL RISING DIAGONAL
    case 0x29F8: // BIG SOLIDUS
    case 0x2AFB: // TRIPLE SOLIDUS BINARY RELATION
    case 0xFF0F: // FULLWIDTH SOLIDUS
        return true;
    default:
        return false;
    }
}

namespace {

void appendEscaped(QString &out, char32_t c)
{
    switch (c) {
    case '\t':
        out += QLatin1String("\\t");
        return;
    case '\n':
        out += QLatin1String("\\n");
        return;
    case '\r':
        out += QLatin1String("\\r");
        return;
    default:
        break;
    }
    if (c < 0x80)
        out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
    else
        out += QStringLiteral("\\u{%1}").arg(QString::number(uint(c), 16).toUpper().rightJustified(4, u'0'));
}

/** @p path: also escape look-alike slashes. */
QString escape(QStringView text, bool path)
{
    const auto unsafe = [path](char32_t c) { return isUnsafeForDisplay(c) || (path && isLookalikeSlash(c)); };
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar ch = text.at(i);
        char32_t c = ch.unicode();
        if (ch.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(ch, text.at(i + 1));
            if (unsafe(c)) {
                appendEscaped(out, c);
            } else {
                out += ch;
                out += text.at(i + 1);
            }
            ++i;
            continue;
        }
        if (ch.isSurrogate()) { // lone surrogate
            appendEscaped(out, c);
            continue;
        }
        if (c == '\\')
            out += QLatin1String("\\\\");
        else if (unsafe(c))
            appendEscaped(out, c);
        else
            out += ch;
    }
    return out;
}

} // namespace

QString displaySafe(QStringView text)
{
    return escape(text, false);
}

QString displaySafePath(QStringView path)
{
    return escape(path, true);
}

bool hasLookalikeSlash(QStringView text)
{
    for (const char32_t c : text.toUcs4()) {
        if (isLookalikeSlash(c))
            return true;
    }
    return false;
}

QString displaySafeUtf8(const QByteArray &bytes)
{
    QString out;
    qsizetype i = 0;
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qsizetype n = bytes.size();
    while (i < n) {
        // Decode one UTF-8 sequence strictly (RFC 3629 §3): no overlongs, no surrogates, <= U+10FFFF.
        const unsigned char b = p[i];
        int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        bool ok = len > 0 && i + len <= n;
        for (int k = 1; ok && k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                c = (c << 6) | (p[i + k] & 0x3F);
        }
        if (ok) {
            const char32_t minimum[] = { 0, 0, 0x80, 0x800, 0x10000 };
            ok = c >= minimum[len] && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
        }
        if (!ok) {
            out += QStringLiteral("\\x%1").arg(uint(b), 2, 16, QLatin1Char('0'));
            ++i;
            continue;
        }
        if (c == '\\')
            out += QLatin1String("\\\\");
        else if (isUnsafeForDisplay(c))
            appendEscaped(out, c);
        else
            out += QString::fromUcs4(&c, 1);
        i += len;
    }
    return out;
}

bool needsEscaping(QStringView text)
{
    return displaySafe(text) != text;
}

QByteArray jsonDisplaySafe(const QByteArray &json)
{
    QByteArray out;
    out.reserve(json.size());
    const auto *p = reinterpret_cast<const unsigned char *>(json.constData());
    const qsizetype n = json.size();
    const auto hex4 = [&out](uint u) {
        out += "\\u";
        out += QByteArray::number(u, 16).rightJustified(4, '0');
    };
    for (qsizetype i = 0; i < n;) {
        const unsigned char b = p[i];
        if (b < 0x80) {
            // ASCII: JSON's own structure and whitespace (raw C0 occurs only there); DEL only in strings.
            if (b == 0x7F)
                hex4(b);
            else
                out += char(b);
            ++i;
            continue;
        }
        const int len = (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        char32_t c = len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        bool ok = len > 0 && i + len <= n;
        for (int k = 1; ok && k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                c = (c << 6) | (p[i + k] & 0x3F);
        }
        if (!ok) { // not UTF-8: not ours to repair
            out += char(b);
            ++i;
            continue;
        }
        if (isUnsafeForDisplay(c) && !(c >= 0xD800 && c <= 0xDFFF)) {
            if (c > 0xFFFF) { // RFC 8259 §7: a UTF-16 surrogate pair
                const char32_t v = c - 0x10000;
                hex4(uint(0xD800 + (v >> 10)));
                hex4(uint(0xDC00 + (v & 0x3FF)));
            } else {
                hex4(uint(c));
            }
        } else {
            out.append(json.constData() + i, len);
        }
        i += len;
    }
    return out;
}

} // namespace Tessera
