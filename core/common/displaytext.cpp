// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/displaytext.h"

#include <QByteArray>

namespace Tessera {

namespace {

bool isUnsafe(char32_t c)
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

} // namespace

QString displaySafe(QStringView text)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar ch = text.at(i);
        char32_t c = ch.unicode();
        if (ch.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(ch, text.at(i + 1));
            if (isUnsafe(c)) {
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
        else if (isUnsafe(c))
            appendEscaped(out, c);
        else
            out += ch;
    }
    return out;
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
        else if (isUnsafe(c))
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

} // namespace Tessera
