// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/metadata.h"

#include <QJsonArray>
#include <QUrl>

namespace Tessera::OAuth {

QJsonObject authorizationServerMetadata(const QString &issuer, const QList<Store::Resource> &resources)
{
    QStringList scopes;
    for (const Store::Resource &r : resources) {
        for (const Store::ResourceScope &s : r.scopes)
            scopes.append(s.name);
    }
    scopes.sort();
    scopes.removeDuplicates();
    const auto at = [&issuer](const char *path) { return QString(issuer + QLatin1String(path)); };
    return QJsonObject {
        { QStringLiteral("issuer"), issuer },
        { QStringLiteral("authorization_endpoint"), at("/authorize") },
        { QStringLiteral("token_endpoint"), at("/token") },
        { QStringLiteral("registration_endpoint"), at("/register") },
        { QStringLiteral("revocation_endpoint"), at("/revoke") },
        { QStringLiteral("introspection_endpoint"), at("/introspect") },
        { QStringLiteral("jwks_uri"), at("/jwks") },
        { QStringLiteral("response_types_supported"), QJsonArray { QStringLiteral("code") } },
        { QStringLiteral("response_modes_supported"), QJsonArray { QStringLiteral("query") } },
        { QStringLiteral("grant_types_supported"),
            QJsonArray { QStringLiteral("authorization_code"), QStringLiteral("refresh_token") } },
        // RFC 7636 §4.3 / MCP: clients MUST refuse an AS that does not list S256.
        { QStringLiteral("code_challenge_methods_supported"), QJsonArray { QStringLiteral("S256") } },
        { QStringLiteral("token_endpoint_auth_methods_supported"),
            QJsonArray {
                QStringLiteral("none"), QStringLiteral("client_secret_basic"), QStringLiteral("client_secret_post") } },
        { QStringLiteral("revocation_endpoint_auth_methods_supported"),
            QJsonArray {
                QStringLiteral("none"), QStringLiteral("client_secret_basic"), QStringLiteral("client_secret_post") } },
        { QStringLiteral("introspection_endpoint_auth_methods_supported"),
            QJsonArray { QStringLiteral("client_secret_basic") } },
        // RFC 9207 §3: iss is in every authorization response, errors included.
        { QStringLiteral("authorization_response_iss_parameter_supported"), true },
        { QStringLiteral("client_id_metadata_document_supported"), true },
        { QStringLiteral("scopes_supported"), QJsonArray::fromStringList(scopes) },
        { QStringLiteral("resource_indicators_supported"), true },
    };
}

QJsonObject protectedResourceMetadata(const Store::Resource &resource, const QString &issuer)
{
    QStringList scopes;
    for (const Store::ResourceScope &s : resource.scopes)
        scopes.append(s.name);
    return QJsonObject {
        { QStringLiteral("resource"), resource.uri },
        { QStringLiteral("authorization_servers"), QJsonArray { issuer } },
        { QStringLiteral("scopes_supported"), QJsonArray::fromStringList(scopes) },
        { QStringLiteral("bearer_methods_supported"), QJsonArray { QStringLiteral("header") } },
        { QStringLiteral("resource_name"), resource.displayName },
    };
}

QString protectedResourceMetadataUrl(const QString &resourceUri)
{
    const QUrl url(resourceUri);
    QUrl wellKnown = url;
    QString path = url.path();
    if (path == QStringLiteral("/"))
        path.clear();
    wellKnown.setPath(QStringLiteral("/.well-known/oauth-protected-resource") + path);
    wellKnown.setQuery(QString());
    return wellKnown.toString(QUrl::FullyEncoded);
}

} // namespace Tessera::OAuth
