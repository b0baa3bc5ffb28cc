// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/strictjson.h"

#include <QJsonDocument>
#include <QSet>
#include <QStringDecoder>

namespace Tessera::Crypto {

namespace {

// A recursive-descent recogniser for RFC 8259 that keeps nothing but the member names of the
// object it is in. QJsonDocument builds the values once the input has passed.
class Scanner
{
public:
    explicit Scanner(QByteArrayView text) : m_s(text) { }

    bool document()
    {
        skipWhitespace();
        if (peek() != '{' || !object(1))
            return false;
        skipWhitespace();
        return m_pos == m_s.size();
    }

private:
    [[nodiscard]] char peek() const { return m_pos < m_s.size() ? m_s[m_pos] : '\0'; }
    [[nodiscard]] bool atEnd() const { return m_pos >= m_s.size(); }

    void skipWhitespace()
    {
        // RFC 8259 §2: ws = *( %x20 / %x09 / %x0A / %x0D )
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++m_pos;
    }

    bool value(int depth)
    {
        skipWhitespace();
        switch (peek()) {
        case '{':
            return object(depth + 1);
        case '[':
            return array(depth + 1);
        case '"':
            return string(nullptr);
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }

    bool object(int depth)
    {
        if (depth > StrictJsonMaxDepth)
            return false;
        ++m_pos; // '{'
        skipWhitespace();
        if (peek() == '}') {
            ++m_pos;
            return true;
        }
        QSet<QString> names;
        for (;;) {
            skipWhitespace();
            if (peek() != '"')
                return false;
            QString name;
            if (!string(&name))
                return false;
            // RFC 7515 §5.2 step 4 / RFC 7519 §4: reject duplicate member names.
            if (names.contains(name))
                return false;
            names.insert(name);
            skipWhitespace();
            if (peek() != ':')
                return false;
            ++m_pos;
            if (!value(depth))
                return false;
            skipWhitespace();
            const char c = peek();
            if (atEnd())
                return false;
            ++m_pos;
            if (c == '}')
                return true;
            if (c != ',')
                return false;
        }
    }

    bool array(int depth)
    {
        if (depth > StrictJsonMaxDepth)
            return false;
        ++m_pos; // '['
        skipWhitespace();
        if (peek() == ']') {
            ++m_pos;
            return true;
        }
        for (;;) {
            if (!value(depth))
                return false;
            skipWhitespace();
            const char c = peek();
            if (atEnd())
                return false;
            ++m_pos;
            if (c == ']')
                return true;
            if (c != ',')
                return false;
        }
    }

    bool hex4(char16_t *out)
    {
        if (m_s.size() - m_pos < 4)
            return false;
        char16_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_s[m_pos++];
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                return false;
            v = static_cast<char16_t>((v << 4) | d);
        }
        *out = v;
        return true;
    }

    // Recognises a string; if @p out is set, also decodes it (the input is known to be valid UTF-8).
    bool string(QString *out)
    {
        ++m_pos; // opening quote
        qsizetype runStart = m_pos;
        auto flush = [&] {
            if (out)
                out->append(QString::fromUtf8(m_s.sliced(runStart, m_pos - runStart)));
        };
        for (;;) {
            if (atEnd())
                return false;
            const char c = m_s[m_pos];
            if (c == '"') {
                flush();
                ++m_pos;
                return true;
            }
            // RFC 8259 §7: control characters must be escaped.
            if (static_cast<unsigned char>(c) < 0x20)
                return false;
            if (c != '\\') {
                ++m_pos;
                continue;
            }
            flush();
            ++m_pos;
            if (atEnd())
                return false;
            const char e = m_s[m_pos++];
            char16_t decoded = 0;
            switch (e) {
            case '"':
                decoded = u'"';
                break;
            case '\\':
                decoded = u'\\';
                break;
            case '/':
                decoded = u'/';
                break;
            case 'b':
                decoded = u'\b';
                break;
            case 'f':
                decoded = u'\f';
                break;
            case 'n':
                decoded = u'\n';
                break;
            case 'r':
                decoded = u'\r';
                break;
            case 't':
                decoded = u'\t';
                break;
            case 'u': {
                if (!hex4(&decoded))
                    return false;
                if (QChar::isLowSurrogate(decoded))
                    return false;
                if (QChar::isHighSurrogate(decoded)) {
                    char16_t low = 0;
                    if (m_s.size() - m_pos < 2 || m_s[m_pos] != '\\' || m_s[m_pos + 1] != 'u')
                        return false;
                    m_pos += 2;
                    if (!hex4(&low) || !QChar::isLowSurrogate(low))
                        return false;
                    if (out) {
                        out->append(QChar(decoded));
                        out->append(QChar(low));
                    }
                    runStart = m_pos;
                    continue;
                }
                break;
            }
            default:
                return false;
            }
            if (out)
                out->append(QChar(decoded));
            runStart = m_pos;
        }
    }

    bool digits()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && peek() >= '0' && peek() <= '9')
            ++m_pos;
        return m_pos > start;
    }

    // RFC 8259 §6: number = [ minus ] int [ frac ] [ exp ]
    bool number()
    {
        if (peek() == '-')
            ++m_pos;
        if (peek() == '0') {
            ++m_pos;
        } else if (peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            return false;
        }
        if (peek() == '.') {
            ++m_pos;
            if (!digits())
                return false;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            if (peek() == '+' || peek() == '-')
                ++m_pos;
            if (!digits())
                return false;
        }
        return true;
    }

    bool literal(const char *word)
    {
        const QByteArrayView w(word);
        if (m_s.size() - m_pos < w.size() || m_s.sliced(m_pos, w.size()) != w)
            return false;
        m_pos += w.size();
        return true;
    }

    QByteArrayView m_s;
    qsizetype m_pos = 0;
};

Error invalidJson()
{
    return Error::make(QStringLiteral("json_invalid"), QStringLiteral("The JSON object is malformed or ambiguous."));
}

} // namespace

Result<QJsonObject> parseStrictJsonObject(QByteArrayView json)
{
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    [[maybe_unused]] const QString decoded = utf8.decode(json);
    if (utf8.hasError())
        return invalidJson();
    // The scanner only accepts '{' first, so a byte order mark fails there.
    if (!Scanner(json).document())
        return invalidJson();

    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return invalidJson();
    return doc.object();
}

} // namespace Tessera::Crypto
