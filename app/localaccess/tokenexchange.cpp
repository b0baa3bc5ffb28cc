// SPDX-License-Identifier: GPL-3.0-or-later
#include "localaccess/tokenexchange.h"

#include "http/request.h"
#include "http/response.h"
#include "oauth/tokenendpoint.h"

#include <QJsonDocument>
#include <QUrl>

namespace Tessera::App {

TokenExchange::Outcome TokenExchange::post(const QList<QPair<QString, QString>> &form)
{
    QByteArray body;
    for (const auto &[name, value] : form) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    Http::Request request;
    request.method = "POST";
    request.target = "/token";
    request.path = "/token";
    request.headers.append("Content-Type", "application/x-www-form-urlencoded");
    request.body = body;
    request.peer.address = QHostAddress(QHostAddress::LocalHost);
    const Http::Response response = m_endpoint.handle(request);
    const QJsonObject json = QJsonDocument::fromJson(response.body).object();
    if (response.status == 200 && json.contains(QStringLiteral("access_token")))
        return json;
    return OAuth::OAuthError { json.value(QStringLiteral("error")).toString(QStringLiteral("server_error")),
        json.value(QStringLiteral("error_description")).toString(), response.status, {} };
}

TokenExchange::Outcome TokenExchange::redeemCode(const QString &clientId, const QString &code, const QString &verifier,
    const QString &redirectUri, const QString &resource)
{
    return post({ { QStringLiteral("grant_type"), QStringLiteral("authorization_code") },
        { QStringLiteral("client_id"), clientId }, { QStringLiteral("code"), code },
        { QStringLiteral("code_verifier"), verifier }, { QStringLiteral("redirect_uri"), redirectUri },
        { QStringLiteral("resource"), resource } });
}

TokenExchange::Outcome TokenExchange::refresh(
    const QString &clientId, const QString &refreshToken, const QStringList &scopes, const QString &resource)
{
    QList<QPair<QString, QString>> form { { QStringLiteral("grant_type"), QStringLiteral("refresh_token") },
        { QStringLiteral("client_id"), clientId }, { QStringLiteral("refresh_token"), refreshToken },
        { QStringLiteral("resource"), resource } };
    if (!scopes.isEmpty())
        form.append({ QStringLiteral("scope"), scopes.join(u' ') });
    return post(form);
}

} // namespace Tessera::App
