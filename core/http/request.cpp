// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/request.h"

#include "http/syntax_p.h"

namespace Tessera::Http {

void Headers::append(QByteArray name, QByteArray value)
{
    m_fields.append({ std::move(name), std::move(value) });
}

int Headers::count(QByteArrayView name) const
{
    int n = 0;
    for (const auto &field : m_fields) {
        if (asciiEqualsIgnoreCase(field.first, name))
            ++n;
    }
    return n;
}

QByteArray Headers::value(QByteArrayView name) const
{
    for (const auto &field : m_fields) {
        if (asciiEqualsIgnoreCase(field.first, name))
            return field.second;
    }
    return {};
}

QList<QByteArray> Headers::values(QByteArrayView name) const
{
    QList<QByteArray> out;
    for (const auto &field : m_fields) {
        if (asciiEqualsIgnoreCase(field.first, name))
            out.append(field.second);
    }
    return out;
}

Result<QByteArray> Headers::single(QByteArrayView name) const
{
    const QList<QByteArray> all = values(name);
    if (all.isEmpty())
        return Error::make(QStringLiteral("header_missing"),
            QStringLiteral("The request has no %1 header.").arg(QString::fromLatin1(name)));
    if (all.size() > 1)
        return Error::make(QStringLiteral("header_repeated"),
            QStringLiteral("The request repeats the %1 header.").arg(QString::fromLatin1(name)));
    return all.front();
}

Result<FormData> Request::queryForm(int maxParams) const
{
    return parseForm(query, maxParams);
}

Result<FormData> Request::bodyForm(int maxParams) const
{
    return parseForm(body, maxParams);
}

QByteArray Request::mediaType() const
{
    return mediaTypeOf(headers.value("content-type"));
}

QByteArray mediaTypeOf(QByteArrayView contentType)
{
    // RFC 9110 §8.3.1: media-type = type "/" subtype parameters
    QByteArrayView v = trimOws(contentType);
    const qsizetype semicolon = v.indexOf(';');
    if (semicolon >= 0)
        v = trimOws(v.first(semicolon));
    const qsizetype slash = v.indexOf('/');
    if (slash <= 0 || slash == v.size() - 1)
        return {};
    if (!isToken(v.first(slash)) || !isToken(v.sliced(slash + 1)))
        return {};
    return v.toByteArray().toLower();
}

} // namespace Tessera::Http
