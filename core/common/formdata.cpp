// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/formdata.h"

#include "common/hex.h"

#include "common/strictjson.h"

#include <QSet>

#include <algorithm>

namespace Tessera {

namespace {

Error formError(const char *code, QString message)
{
    return Error { QString::fromLatin1(code), std::move(message) };
}

// Raw bytes allowed unencoded: printable ASCII except the delimiters handled by the caller and `#`,
// which can only come from a fragment that a client forgot to strip.
bool isAllowedRaw(uchar c)
{
    return c > 0x20 && c < 0x7F && c != '#';
}

Result<QString> decodeComponent(QByteArrayView raw)
{
    QByteArray out;
    out.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '+') {
            out.append(' ');
        } else if (c == '%') {
            if (i + 2 >= raw.size())
                return formError("form_invalid_percent_encoding",
                    QStringLiteral("A form parameter has an incomplete percent-encoding."));
            const int hi = hexDigitValue(raw[i + 1]);
            const int lo = hexDigitValue(raw[i + 2]);
            if (hi < 0 || lo < 0)
                return formError("form_invalid_percent_encoding",
                    QStringLiteral("A form parameter has an invalid percent-encoding."));
            out.append(char((hi << 4) | lo));
            i += 2;
        } else if (!isAllowedRaw(uchar(c))) {
            return formError("form_invalid_character",
                QStringLiteral("A form parameter contains a character that must be percent-encoded."));
        } else {
            out.append(c);
        }
    }
    if (out.contains('\0'))
        return formError("form_nul", QStringLiteral("A form parameter contains a NUL character."));
    if (!isStrictUtf8(out))
        return formError("form_invalid_utf8", QStringLiteral("A form parameter is not valid UTF-8."));
    return QString::fromUtf8(out);
}

// Names go into error messages only when they are plain identifiers (no log injection, no secrets).
QString printableName(const QString &name)
{
    const bool plain = name.size() <= 64 && std::all_of(name.cbegin(), name.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_'
            || c == u'-' || c == u'.';
    });
    return plain ? QStringLiteral("\"%1\"").arg(name) : QStringLiteral("(name not shown)");
}

} // namespace

bool FormData::contains(QStringView name) const
{
    return value(name).has_value();
}

std::optional<QString> FormData::value(QStringView name) const
{
    for (const auto &item : m_items) {
        if (item.first == name)
            return item.second;
    }
    return std::nullopt;
}

Result<FormData> parseForm(QByteArrayView body, int maxParams)
{
    FormData form;
    if (body.isEmpty())
        return form;
    QSet<QString> seen;
    qsizetype start = 0;
    for (;;) {
        qsizetype amp = body.indexOf('&', start);
        const qsizetype end = amp < 0 ? body.size() : amp;
        const QByteArrayView pair = body.sliced(start, end - start);
        if (pair.isEmpty() || pair.front() == '=')
            return formError("form_empty_name", QStringLiteral("A form parameter has an empty name."));
        if (form.m_items.size() >= maxParams)
            return formError(
                "form_too_many_parameters", QStringLiteral("The form has more than %1 parameters.").arg(maxParams));
        const qsizetype eq = pair.indexOf('=');
        const QByteArrayView rawName = eq < 0 ? pair : pair.first(eq);
        const QByteArrayView rawValue = eq < 0 ? QByteArrayView() : pair.sliced(eq + 1);
        auto name = decodeComponent(rawName);
        if (!name)
            return name.error();
        if (name->isEmpty())
            return formError("form_empty_name", QStringLiteral("A form parameter has an empty name."));
        // `=` inside a value is left to the value: only the first one separates.
        auto value = decodeComponent(rawValue);
        if (!value)
            return value.error();
        // RFC 6749 §3.1: request and response parameters MUST NOT be included more than once.
        if (seen.contains(*name))
            return formError("form_duplicate_parameter",
                QStringLiteral("The form repeats the parameter %1.").arg(printableName(*name)));
        seen.insert(*name);
        form.m_items.append({ std::move(*name), std::move(*value) });
        if (amp < 0)
            break;
        start = amp + 1;
        if (start == body.size())
            return formError("form_empty_name", QStringLiteral("A form parameter has an empty name."));
    }
    return form;
}

} // namespace Tessera
