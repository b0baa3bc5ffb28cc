// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Character classes of RFC 9110 / RFC 9112 / RFC 3986 shared by the parser and the server.

#include <QByteArrayView>

namespace Tessera::Http {

inline bool isAlpha(uchar c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

inline bool isDigit(uchar c)
{
    return c >= '0' && c <= '9';
}

inline bool isHexDigit(uchar c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" /
// DIGIT / ALPHA
inline bool isTchar(uchar c)
{
    if (isAlpha(c) || isDigit(c))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

inline bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (const char c : s) {
        if (!isTchar(uchar(c)))
            return false;
    }
    return true;
}

// RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@" (pct-encoded checked by the caller)
inline bool isPcharExceptPct(uchar c)
{
    if (isAlpha(c) || isDigit(c))
        return true;
    switch (c) {
    case '-':
    case '.':
    case '_':
    case '~': // unreserved
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=': // sub-delims
    case ':':
    case '@':
        return true;
    default:
        return false;
    }
}

inline uchar asciiLower(uchar c)
{
    return (c >= 'A' && c <= 'Z') ? uchar(c + 32) : c;
}

inline bool asciiEqualsIgnoreCase(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (asciiLower(uchar(a[i])) != asciiLower(uchar(b[i])))
            return false;
    }
    return true;
}

// RFC 9110 §5.6.3: OWS = *( SP / HTAB )
inline QByteArrayView trimOws(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

} // namespace Tessera::Http
