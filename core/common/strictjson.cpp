// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/strictjson.h"

#include "common/hex.h"

#include <QStringDecoder>

#include <QJsonArray>
#include <QJsonObject>

#include <charconv>
#include <cmath>
#include <vector>

namespace Tessera {

namespace {

// Length of the well-formed UTF-8 sequence at p (RFC 3629 §4 table), or 0. Stores the code point.
qsizetype decodeUtf8(const unsigned char *p, qsizetype avail, char32_t *cp)
{
    const unsigned char b0 = p[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    auto cont = [&](qsizetype i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        return i < avail && p[i] >= lo && p[i] <= hi;
    };
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (!cont(1))
            return 0;
        *cp = (char32_t(b0 & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        // E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogates).
        const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
        const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
        if (!cont(1, lo, hi) || !cont(2))
            return 0;
        *cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        // F0 needs 90..BF (no overlong), F4 needs 80..8F (nothing above U+10FFFF).
        const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
        const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
        if (!cont(1, lo, hi) || !cont(2) || !cont(3))
            return 0;
        *cp = (char32_t(b0 & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) | (char32_t(p[2] & 0x3F) << 6)
            | (p[3] & 0x3F);
        return 4;
    }
    return 0; // 80..C1 (continuation or overlong lead), F5..FF
}

// RFC 7493 §2.1: no noncharacters (U+FDD0..U+FDEF and the last two code points of every plane).
bool isNoncharacter(char32_t cp)
{
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

void appendUtf8(QByteArray &out, char32_t cp)
{
    if (cp < 0x80) {
        out.append(char(cp));
    } else if (cp < 0x800) {
        out.append(char(0xC0 | (cp >> 6)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(char(0xE0 | (cp >> 12)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else {
        out.append(char(0xF0 | (cp >> 18)));
        out.append(char(0x80 | ((cp >> 12) & 0x3F)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    }
}

struct Frame
{
    bool isObject = false;
    QJsonObject object;
    QJsonArray array;
    QString key; // member whose value is being parsed
    qsizetype count = 0;
};

// An explicit stack instead of recursion: a 10,000-deep document costs one failed depth check.
class Parser
{
public:
    Parser(QByteArrayView text, const StrictJsonLimits &limits) : m_s(text), m_limits(limits) { }

    Result<QJsonValue> run()
    {
        if (m_s.size() > m_limits.maxBytes)
            return Error::make(QStringLiteral("json_too_large"),
                QStringLiteral("The JSON document is larger than %1 bytes.").arg(m_limits.maxBytes));
        // RFC 8259 §8.1: implementations MUST NOT add a byte order mark; we do not accept one either.
        if (m_s.size() >= 3 && uchar(m_s[0]) == 0xEF && uchar(m_s[1]) == 0xBB && uchar(m_s[2]) == 0xBF)
            return fail("json_bom", QStringLiteral("The JSON document starts with a byte order mark."));

        QJsonValue value;
        if (!parseDocument(&value))
            return m_error;
        skipWhitespace();
        if (m_pos != m_s.size())
            return fail(
                "json_trailing_data", QStringLiteral("Unexpected data after the JSON value at byte %1.").arg(m_pos));
        return value;
    }

private:
    [[nodiscard]] bool atEnd() const { return m_pos >= m_s.size(); }
    [[nodiscard]] char peek() const { return atEnd() ? '\0' : m_s[m_pos]; }

    Error fail(const char *code, QString message)
    {
        m_error = Error { QString::fromLatin1(code), std::move(message) };
        return m_error;
    }
    bool syntax(const QString &what)
    {
        fail("json_syntax", QStringLiteral("Invalid JSON at byte %1: %2.").arg(m_pos).arg(what));
        return false;
    }

    void skipWhitespace()
    {
        // RFC 8259 §2: ws = *( %x20 / %x09 / %x0A / %x0D )
        while (!atEnd()) {
            const char c = m_s[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    bool parseDocument(QJsonValue *result)
    {
        std::vector<Frame> stack;
        for (;;) {
            // Parse one value; containers push a frame and loop back here for their first element.
            skipWhitespace();
            QJsonValue value;
            const char c = peek();
            if (c == '{' || c == '[') {
                if (int(stack.size()) + 1 > m_limits.maxDepth) {
                    fail("json_too_deep",
                        QStringLiteral("The JSON document is nested deeper than %1 levels.").arg(m_limits.maxDepth));
                    return false;
                }
                ++m_pos;
                Frame frame;
                frame.isObject = c == '{';
                skipWhitespace();
                if (peek() == (frame.isObject ? '}' : ']')) {
                    ++m_pos;
                    value = frame.isObject ? QJsonValue(QJsonObject()) : QJsonValue(QJsonArray());
                } else {
                    if (frame.isObject && !parseMemberName(frame))
                        return false;
                    stack.push_back(std::move(frame));
                    continue;
                }
            } else if (!parseScalar(&value)) {
                return false;
            }

            // Attach the finished value to its container; close containers as long as they end here.
            for (;;) {
                if (stack.empty()) {
                    *result = std::move(value);
                    return true;
                }
                Frame &top = stack.back();
                if (top.isObject) {
                    if (++top.count > m_limits.maxMembers) {
                        fail("json_too_many_members",
                            QStringLiteral("A JSON object has more than %1 members.").arg(m_limits.maxMembers));
                        return false;
                    }
                    top.object.insert(top.key, value);
                } else {
                    if (++top.count > m_limits.maxArrayItems) {
                        fail("json_too_many_items",
                            QStringLiteral("A JSON array has more than %1 elements.").arg(m_limits.maxArrayItems));
                        return false;
                    }
                    top.array.append(value);
                }
                skipWhitespace();
                const char next = peek();
                if (next == ',') {
                    ++m_pos;
                    if (top.isObject && !parseMemberName(top))
                        return false;
                    break; // parse the next element
                }
                if (next != (top.isObject ? '}' : ']'))
                    return syntax(
                        top.isObject ? QStringLiteral("expected ',' or '}'") : QStringLiteral("expected ',' or ']'"));
                ++m_pos;
                value = top.isObject ? QJsonValue(std::move(top.object)) : QJsonValue(std::move(top.array));
                stack.pop_back();
            }
        }
    }

    // Reads `"name" :` into frame.key, rejecting a name already present in the object.
    bool parseMemberName(Frame &frame)
    {
        skipWhitespace();
        if (peek() != '"')
            return syntax(QStringLiteral("expected a member name"));
        QString name;
        if (!parseString(&name))
            return false;
        // RFC 7493 §2.3: member names MUST be unique, compared after unescaping.
        if (frame.object.contains(name)) {
            fail("json_duplicate_member",
                QStringLiteral("A JSON object repeats a member name (before byte %1).").arg(m_pos));
            return false;
        }
        skipWhitespace();
        if (peek() != ':')
            return syntax(QStringLiteral("expected ':'"));
        ++m_pos;
        frame.key = std::move(name);
        return true;
    }

    bool parseScalar(QJsonValue *out)
    {
        const char c = peek();
        if (c == '"') {
            QString s;
            if (!parseString(&s))
                return false;
            *out = s;
            return true;
        }
        if (c == 't')
            return literal("true", QJsonValue(true), out);
        if (c == 'f')
            return literal("false", QJsonValue(false), out);
        if (c == 'n')
            return literal("null", QJsonValue(QJsonValue::Null), out);
        if (c == '-' || (c >= '0' && c <= '9'))
            return parseNumber(out);
        return syntax(atEnd() ? QStringLiteral("unexpected end of input") : QStringLiteral("expected a value"));
    }

    bool literal(const char *word, QJsonValue value, QJsonValue *out)
    {
        const QByteArrayView w(word);
        if (m_s.sliced(m_pos).startsWith(w)) {
            m_pos += w.size();
            *out = std::move(value);
            return true;
        }
        return syntax(QStringLiteral("invalid literal"));
    }

    bool digits()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9')
            ++m_pos;
        return m_pos > start;
    }

    bool parseNumber(QJsonValue *out)
    {
        // RFC 8259 §6: number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT )
        const qsizetype start = m_pos;
        if (peek() == '-')
            ++m_pos;
        if (peek() == '0') {
            ++m_pos;
        } else if (!digits()) {
            return syntax(QStringLiteral("invalid number"));
        }
        if (peek() == '.') {
            ++m_pos;
            if (!digits())
                return syntax(QStringLiteral("invalid number"));
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            if (peek() == '+' || peek() == '-')
                ++m_pos;
            if (!digits())
                return syntax(QStringLiteral("invalid number"));
        }
        double d = 0;
        const char *first = m_s.data() + start;
        const char *last = m_s.data() + m_pos;
        const auto [ptr, ec] = std::from_chars(first, last, d);
        // RFC 7493 §2.2: numbers beyond IEEE 754 double range or precision do not interoperate.
        // from_chars reports overflow (1e400) and underflow to zero (1e-400) alike.
        if (ec == std::errc::result_out_of_range || (ec == std::errc() && !std::isfinite(d))) {
            fail("json_number_out_of_range",
                QStringLiteral("A JSON number at byte %1 is outside the range of a double.").arg(start));
            return false;
        }
        if (ec != std::errc() || ptr != last)
            return syntax(QStringLiteral("invalid number"));
        *out = d;
        return true;
    }

    bool readHex4(char32_t *unit)
    {
        if (m_s.size() - m_pos < 4)
            return false;
        char32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexDigitValue(m_s[m_pos + i]);
            if (h < 0)
                return false;
            v = (v << 4) | char32_t(h);
        }
        m_pos += 4;
        *unit = v;
        return true;
    }

    bool invalidUnicode()
    {
        fail("json_invalid_unicode",
            QStringLiteral("A JSON string contains a lone surrogate or a noncharacter near byte %1.").arg(m_pos));
        return false;
    }

    bool parseString(QString *out)
    {
        const qsizetype start = m_pos;
        ++m_pos; // opening quote
        QByteArray utf8;
        const auto *bytes = reinterpret_cast<const unsigned char *>(m_s.data());
        for (;;) {
            if (m_pos - start + 1 > m_limits.maxStringBytes) {
                fail("json_string_too_long",
                    QStringLiteral("A JSON string at byte %1 is longer than %2 bytes.")
                        .arg(start)
                        .arg(m_limits.maxStringBytes));
                return false;
            }
            if (atEnd())
                return syntax(QStringLiteral("unterminated string"));
            const unsigned char c = bytes[m_pos];
            if (c == '"') {
                ++m_pos;
                break;
            }
            if (c < 0x20)
                return syntax(QStringLiteral("unescaped control character in a string"));
            if (c == '\\') {
                ++m_pos;
                const char e = peek();
                ++m_pos;
                switch (e) {
                case '"':
                case '\\':
                case '/':
                    utf8.append(e);
                    continue;
                case 'b':
                    utf8.append('\b');
                    continue;
                case 'f':
                    utf8.append('\f');
                    continue;
                case 'n':
                    utf8.append('\n');
                    continue;
                case 'r':
                    utf8.append('\r');
                    continue;
                case 't':
                    utf8.append('\t');
                    continue;
                case 'u':
                    break;
                default:
                    --m_pos;
                    return syntax(QStringLiteral("invalid escape"));
                }
                char32_t cp = 0;
                if (!readHex4(&cp))
                    return syntax(QStringLiteral("invalid \\u escape"));
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return invalidUnicode();
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    // RFC 8259 §7: a surrogate pair is two consecutive \u escapes.
                    char32_t low = 0;
                    if (m_s.size() - m_pos < 2 || m_s[m_pos] != '\\' || m_s[m_pos + 1] != 'u')
                        return invalidUnicode();
                    m_pos += 2;
                    if (!readHex4(&low))
                        return syntax(QStringLiteral("invalid \\u escape"));
                    if (low < 0xDC00 || low > 0xDFFF)
                        return invalidUnicode();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                if (cp == 0) {
                    fail("json_nul", QStringLiteral("A JSON string contains U+0000 near byte %1.").arg(m_pos));
                    return false;
                }
                if (isNoncharacter(cp))
                    return invalidUnicode();
                appendUtf8(utf8, cp);
                continue;
            }
            if (c < 0x80) {
                utf8.append(char(c));
                ++m_pos;
                continue;
            }
            char32_t cp = 0;
            const qsizetype len = decodeUtf8(bytes + m_pos, m_s.size() - m_pos, &cp);
            if (len == 0) {
                fail(
                    "json_invalid_utf8", QStringLiteral("A JSON string contains invalid UTF-8 at byte %1.").arg(m_pos));
                return false;
            }
            if (isNoncharacter(cp))
                return invalidUnicode();
            utf8.append(m_s.sliced(m_pos, len));
            m_pos += len;
        }
        // QString::fromUtf8 silently drops a leading U+FEFF; the parsed value must be exactly
        // what was sent, or two parsers would disagree about the same bytes.
        QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::ConvertInitialBom);
        *out = decoder.decode(utf8);
        return true;
    }

    QByteArrayView m_s;
    const StrictJsonLimits &m_limits;
    qsizetype m_pos = 0;
    Error m_error;
};

} // namespace

Result<QJsonValue> parseStrictJson(QByteArrayView json, const StrictJsonLimits &limits)
{
    return Parser(json, limits).run();
}

bool isStrictUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    qsizetype i = 0;
    while (i < bytes.size()) {
        char32_t cp = 0;
        const qsizetype len = decodeUtf8(p + i, bytes.size() - i, &cp);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

} // namespace Tessera
