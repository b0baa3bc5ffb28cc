// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/discovery.h"

#include "common/strictjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <memory>

namespace Tessera::Upstream {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qsizetype MaxChallengeFieldBytes = 8 * 1024;
constexpr int MaxChallenges = 16;
constexpr int MaxChallengeParams = 32;

Error challengeError(const QString &what)
{
    return Error::make(
        u"upstream_bad_challenge"_s, u"The server's WWW-Authenticate header is malformed (%1)."_s.arg(what));
}

bool isTchar(char c)
{
    // RFC 9110 §5.6.2
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken68Char(char c)
{
    // RFC 9110 §11.2
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || QByteArrayView("-._~+/").contains(c);
}

class ChallengeParser
{
public:
    explicit ChallengeParser(QByteArrayView s) : m_s(s) { }

    Status parse(QList<Challenge> &out)
    {
        skipListSeparators();
        while (!atEnd()) {
            Challenge c;
            c.scheme = QString::fromLatin1(token());
            if (c.scheme.isEmpty())
                return challengeError(u"expected an authentication scheme at byte %1"_s.arg(m_pos));
            const qsizetype spaces = skipSpaces();
            if (!atEnd() && peek() != ',') {
                if (spaces == 0)
                    return challengeError(u"expected a space after the scheme at byte %1"_s.arg(m_pos));
                if (Status s = parseParams(c); !s)
                    return s;
            }
            out.append(std::move(c));
            if (out.size() > MaxChallenges)
                return challengeError(u"more than %1 challenges"_s.arg(MaxChallenges));
            skipListSeparators();
        }
        return {};
    }

private:
    [[nodiscard]] bool atEnd() const { return m_pos >= m_s.size(); }
    [[nodiscard]] char peek() const { return m_s[m_pos]; }

    qsizetype skipSpaces()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && (peek() == ' ' || peek() == '\t'))
            ++m_pos;
        return m_pos - start;
    }
    void skipListSeparators()
    {
        // RFC 9110 §5.6.1: empty list elements are allowed and ignored.
        skipSpaces();
        while (!atEnd() && peek() == ',') {
            ++m_pos;
            skipSpaces();
        }
    }
    QByteArrayView token()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isTchar(peek()))
            ++m_pos;
        return m_s.sliced(start, m_pos - start);
    }
    // An unquoted value. RFC 9110 says token, but servers send scope=files:read and URLs unquoted
    // (the TS and Python SDKs read [^\s,]+), so any visible character but `,` and `"` is taken.
    QByteArrayView bareValue()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && peek() > 0x20 && peek() < 0x7f && peek() != ',' && peek() != '"')
            ++m_pos;
        return m_s.sliced(start, m_pos - start);
    }
    // token68 followed by OWS and the end or a comma, or nothing (position unchanged).
    std::optional<QString> token68()
    {
        const qsizetype start = m_pos;
        qsizetype p = m_pos;
        while (p < m_s.size() && isToken68Char(m_s[p]))
            ++p;
        if (p == start)
            return std::nullopt;
        while (p < m_s.size() && m_s[p] == '=')
            ++p;
        const qsizetype end = p;
        while (p < m_s.size() && (m_s[p] == ' ' || m_s[p] == '\t'))
            ++p;
        if (p < m_s.size() && m_s[p] != ',')
            return std::nullopt;
        m_pos = end;
        return QString::fromLatin1(m_s.sliced(start, end - start));
    }
    Result<QString> quotedString()
    {
        ++m_pos; // opening DQUOTE
        QByteArray value;
        while (!atEnd()) {
            const char c = peek();
            ++m_pos;
            if (c == '"')
                return QString::fromUtf8(value);
            if (c == '\\') {
                if (atEnd())
                    break;
                value += peek();
                ++m_pos;
                continue;
            }
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
                return challengeError(u"a control character in a quoted string at byte %1"_s.arg(m_pos - 1));
            value += c;
        }
        return challengeError(u"an unterminated quoted string"_s);
    }

    Status parseParams(Challenge &c)
    {
        if (auto t68 = token68()) {
            c.token68 = *t68;
            return {};
        }
        while (true) {
            const qsizetype itemStart = m_pos;
            const QString name = QString::fromLatin1(token()).toLower();
            skipSpaces();
            if (name.isEmpty() || atEnd() || peek() != '=') {
                if (c.params.isEmpty())
                    return challengeError(u"expected a parameter at byte %1"_s.arg(itemStart));
                // Not "name=": the start of the next challenge.
                m_pos = itemStart;
                return {};
            }
            ++m_pos; // '='
            skipSpaces();
            QString value;
            if (!atEnd() && peek() == '"') {
                Result<QString> q = quotedString();
                if (!q)
                    return q.error();
                value = *q;
            } else {
                value = QString::fromLatin1(bareValue());
                if (value.isEmpty())
                    return challengeError(u"parameter %1 has no value"_s.arg(name));
            }
            if (c.param(name))
                return challengeError(u"parameter %1 appears twice in one challenge"_s.arg(name));
            c.params.append({ name, value });
            if (c.params.size() > MaxChallengeParams)
                return challengeError(u"more than %1 parameters"_s.arg(MaxChallengeParams));
            skipSpaces();
            if (atEnd())
                return {};
            if (peek() != ',')
                return challengeError(u"expected a comma at byte %1"_s.arg(m_pos));
            skipListSeparators();
            if (atEnd())
                return {};
        }
    }

    QByteArrayView m_s;
    qsizetype m_pos = 0;
};

QString stripLoneSlash(QString path)
{
    while (path.endsWith(u'/'))
        path.chop(1);
    return path;
}

QString origin(const QUrl &u)
{
    return u.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo)
        .toString(QUrl::FullyEncoded)
        .toLower();
}

Result<QJsonObject> parseObject(QByteArrayView body, const QString &code, const QString &what)
{
    Result<QJsonValue> v = parseStrictJson(body);
    if (!v)
        return Error::make(code, u"%1 is not valid JSON (%2)."_s.arg(what, v.error().code));
    if (!v->isObject())
        return Error::make(code, u"%1 is not a JSON object."_s.arg(what));
    return v->toObject();
}

Result<QStringList> optionalStringList(
    const QJsonObject &o, const QString &name, const QString &code, const QString &what)
{
    if (!o.contains(name))
        return QStringList {};
    if (!o.value(name).isArray())
        return Error::make(code, u"%1: %2 must be an array of strings."_s.arg(what, name));
    QStringList out;
    for (const QJsonValue &v : o.value(name).toArray()) {
        if (!v.isString())
            return Error::make(code, u"%1: %2 must be an array of strings."_s.arg(what, name));
        out.append(v.toString());
    }
    return out;
}

// An endpoint URL: absolute, no fragment (RFC 8414 §2 / RFC 6749 §3.1), passing checkTransport.
Result<QUrl> endpoint(
    const QJsonObject &o, const QString &name, bool required, const QString &code, const QString &what)
{
    if (!o.contains(name)) {
        if (required)
            return Error::make(
                code, u"%1 lacks %2; this server cannot be used as an OAuth authorization server."_s.arg(what, name));
        return QUrl {};
    }
    if (!o.value(name).isString())
        return Error::make(code, u"%1: %2 must be a string."_s.arg(what, name));
    const QUrl url(o.value(name).toString(), QUrl::StrictMode);
    if (!url.isValid() || url.isRelative() || url.hasFragment())
        return Error::make(code, u"%1: %2 is not an absolute URL without a fragment."_s.arg(what, name));
    if (Status s = checkTransport(url); !s)
        return Error::make(s.error().code, u"%1: %2: %3"_s.arg(what, name, s.error().message));
    return url;
}

} // namespace

std::optional<QString> Challenge::param(QStringView name) const
{
    for (const auto &[n, v] : params)
        if (n == name)
            return v;
    return std::nullopt;
}

Result<QList<Challenge>> parseWwwAuthenticate(const QList<QByteArray> &fields)
{
    QList<Challenge> out;
    for (const QByteArray &field : fields) {
        if (field.size() > MaxChallengeFieldBytes)
            return challengeError(u"longer than %1 bytes"_s.arg(MaxChallengeFieldBytes));
        ChallengeParser parser(field);
        if (Status s = parser.parse(out); !s)
            return s.error();
        if (out.size() > MaxChallenges)
            return challengeError(u"more than %1 challenges"_s.arg(MaxChallenges));
    }
    return out;
}

Result<std::optional<BearerChallenge>> findBearerChallenge(const QList<Challenge> &challenges)
{
    for (const Challenge &c : challenges) {
        if (c.scheme.compare("Bearer"_L1, Qt::CaseInsensitive) != 0)
            continue;
        BearerChallenge b;
        if (auto rm = c.param(u"resource_metadata")) {
            b.resourceMetadata = QUrl(*rm, QUrl::StrictMode);
            if (!b.resourceMetadata.isValid() || b.resourceMetadata.isRelative())
                return challengeError(u"resource_metadata is not an absolute URL"_s);
        }
        b.scope = c.param(u"scope").value_or(QString {});
        b.error = c.param(u"error").value_or(QString {});
        return std::optional<BearerChallenge>(b);
    }
    return std::optional<BearerChallenge> {};
}

QList<QUrl> protectedResourceMetadataUrls(const QUrl &resource)
{
    // RFC 9728 §3.1: the well-known string goes between the host and the path (a terminating
    // "/" of the path removed), keeping the query; MCP ASD: then the root well-known.
    const QString path = stripLoneSlash(resource.path(QUrl::FullyEncoded));
    QUrl base = resource.adjusted(QUrl::RemovePath | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
    QList<QUrl> urls;
    if (!path.isEmpty()) {
        QUrl inserted = base;
        inserted.setPath(u"/.well-known/oauth-protected-resource"_s + path, QUrl::TolerantMode);
        urls.append(inserted);
    }
    QUrl root = base.adjusted(QUrl::RemoveQuery);
    root.setPath(u"/.well-known/oauth-protected-resource"_s);
    urls.append(root);
    return urls;
}

QList<QUrl> authorizationServerMetadataUrls(const QUrl &issuer)
{
    const QString path = stripLoneSlash(issuer.path(QUrl::FullyEncoded));
    const QUrl base
        = issuer.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
    auto at = [&base](const QString &p) {
        QUrl u = base;
        u.setPath(p, QUrl::TolerantMode);
        return u;
    };
    if (path.isEmpty())
        return { at(u"/.well-known/oauth-authorization-server"_s), at(u"/.well-known/openid-configuration"_s) };
    // MCP ASD "Authorization Server Metadata Discovery", issuer URLs with path components.
    return { at(u"/.well-known/oauth-authorization-server"_s + path), at(u"/.well-known/openid-configuration"_s + path),
        at(path + u"/.well-known/openid-configuration"_s) };
}

Result<ProtectedResourceMetadata> validateProtectedResourceMetadata(QByteArrayView body, const QUrl &mcpUrl)
{
    const QString code = u"upstream_bad_resource_metadata"_s;
    const QString what = u"The protected-resource metadata (RFC 9728)"_s;
    Result<QJsonObject> obj = parseObject(body, code, what);
    if (!obj)
        return obj.error();
    ProtectedResourceMetadata m;
    if (!obj->value("resource"_L1).isString() || obj->value("resource"_L1).toString().isEmpty())
        return Error::make(code, u"%1 lacks resource."_s.arg(what));
    m.resource = obj->value("resource"_L1).toString();
    const QUrl resource(m.resource, QUrl::StrictMode);
    if (!resource.isValid() || resource.isRelative() || resource.hasFragment())
        return Error::make(code, u"%1: resource is not an absolute URL without a fragment."_s.arg(what));

    // RFC 9728 §3.3: the resource must be the one the client asked about, or the metadata may
    // belong to another server (an impersonation). Same origin; the path equal or a
    // whole-segment prefix (one PRM may cover several endpoints of one server).
    const QString rPath = stripLoneSlash(resource.path(QUrl::FullyEncoded));
    const QString mPath = stripLoneSlash(mcpUrl.path(QUrl::FullyEncoded));
    const bool sameOrigin = origin(resource) == origin(mcpUrl);
    const bool pathOk = rPath == mPath || rPath.isEmpty() || mPath.startsWith(rPath + u'/');
    if (!sameOrigin || !pathOk || (resource.hasQuery() && resource.query() != mcpUrl.query()))
        return Error::make(u"upstream_resource_mismatch"_s,
            u"The server's metadata names the resource %1, not %2; the URL may be wrong, or the "
            u"metadata belongs to another server. Check the MCP server URL."_s.arg(
                m.resource, mcpUrl.toDisplayString()));

    Result<QStringList> as = optionalStringList(*obj, u"authorization_servers"_s, code, what);
    if (!as)
        return as.error();
    if (as->isEmpty())
        return Error::make(
            code, u"%1 names no authorization_servers; this server does not say where to sign in."_s.arg(what));
    for (const QString &s : *as) {
        const QUrl u(s, QUrl::StrictMode);
        if (!u.isValid() || u.isRelative() || u.hasQuery() || u.hasFragment())
            return Error::make(code, u"%1: authorization server %2 is not an issuer URL (RFC 8414 §2)."_s.arg(what, s));
        if (Status st = checkTransport(u); !st)
            return st.error();
    }
    m.authorizationServers = *as;
    Result<QStringList> scopes = optionalStringList(*obj, u"scopes_supported"_s, code, what);
    if (!scopes)
        return scopes.error();
    m.scopesSupported = *scopes;
    return m;
}

Result<AuthorizationServerMetadata> validateAuthorizationServerMetadata(
    QByteArrayView body, const QString &expectedIssuer)
{
    const QString code = u"upstream_bad_as_metadata"_s;
    const QString what = u"The authorization server's metadata"_s;
    Result<QJsonObject> obj = parseObject(body, code, what);
    if (!obj)
        return obj.error();
    AuthorizationServerMetadata m;
    if (!obj->value("issuer"_L1).isString())
        return Error::make(code, u"%1 lacks issuer."_s.arg(what));
    m.issuer = obj->value("issuer"_L1).toString();
    // RFC 8414 §3.3: "The issuer value returned MUST be identical to the authorization server's
    // issuer identifier value into which the well-known URI string was inserted".
    if (m.issuer != expectedIssuer)
        return Error::make(u"upstream_issuer_mismatch"_s,
            u"The authorization server calls itself %1 but the MCP server named %2; refusing (a "
            u"possible mix-up attack). The MCP server's metadata must name the exact issuer."_s.arg(
                m.issuer, expectedIssuer));

    Result<QUrl> authz = endpoint(*obj, u"authorization_endpoint"_s, true, code, what);
    if (!authz)
        return authz.error();
    m.authorizationEndpoint = *authz;
    Result<QUrl> token = endpoint(*obj, u"token_endpoint"_s, true, code, what);
    if (!token)
        return token.error();
    m.tokenEndpoint = *token;
    Result<QUrl> reg = endpoint(*obj, u"registration_endpoint"_s, false, code, what);
    if (!reg)
        return reg.error();
    m.registrationEndpoint = *reg;
    Result<QUrl> revoke = endpoint(*obj, u"revocation_endpoint"_s, false, code, what);
    if (!revoke)
        return revoke.error();
    m.revocationEndpoint = *revoke;

    Result<QStringList> responseTypes = optionalStringList(*obj, u"response_types_supported"_s, code, what);
    if (!responseTypes)
        return responseTypes.error();
    if (!responseTypes->contains("code"_L1))
        return Error::make(code,
            u"%1 does not list the authorization code flow (response_types_supported lacks \"code\")."_s.arg(what));

    // MCP 2026-07-28 Authorization Code Protection: "If code_challenge_methods_supported is absent,
    // the client MUST refuse to proceed", and only S256 is used (OAuth 2.1 §4.1.1).
    Result<QStringList> pkce = optionalStringList(*obj, u"code_challenge_methods_supported"_s, code, what);
    if (!pkce)
        return pkce.error();
    if (!pkce->contains("S256"_L1))
        return Error::make(u"upstream_no_pkce"_s,
            u"The authorization server does not advertise PKCE with S256 (code_challenge_methods_supported); "
            u"Tessera refuses to sign in without it. The server's operator must enable PKCE S256."_s);

    for (const auto &[name, list] : { std::pair { u"scopes_supported"_s, &m.scopesSupported },
             std::pair { u"token_endpoint_auth_methods_supported"_s, &m.tokenEndpointAuthMethods },
             std::pair { u"grant_types_supported"_s, &m.grantTypes } }) {
        Result<QStringList> l = optionalStringList(*obj, name, code, what);
        if (!l)
            return l.error();
        *list = *l;
    }
    for (const auto &[name, flag] :
        { std::pair { u"authorization_response_iss_parameter_supported"_s, &m.issParameterSupported },
            std::pair { u"client_id_metadata_document_supported"_s, &m.clientIdMetadataDocumentSupported } }) {
        if (!obj->contains(name))
            continue;
        if (!obj->value(name).isBool())
            return Error::make(code, u"%1: %2 must be true or false."_s.arg(what, name));
        *flag = obj->value(name).toBool();
    }
    return m;
}

QString DiscoveryResult::scopeToRequest() const
{
    if (!challengedScope.isEmpty())
        return challengedScope;
    return resourceMetadata.scopesSupported.join(u' ');
}

Discovery::Discovery(UpstreamHttp &http, QObject *parent) : QObject(parent), m_http(http) { }

namespace {

struct DiscoveryRun
{
    UpstreamHttp *http;
    Discovery::Callback done;
    DiscoveryResult result;
    QList<QUrl> prmUrls;
    QList<QUrl> asUrls;
    int index = 0;
};

UpstreamHttp::Headers jsonHeaders()
{
    return { { "Accept", "application/json" }, { "MCP-Protocol-Version", Discovery::ProtocolVersion } };
}

bool isJson(const QByteArray &type)
{
    return type == "application/json" || type.endsWith("+json");
}

void fetchAsMetadata(std::shared_ptr<DiscoveryRun> run);

/**
 * One well-known metadata fetch, judged the same for RFC 9728 and RFC 8414/OpenID documents.
 * MCP ASD: a 4xx means "try the next URL" (empty optional); a 5xx, a network failure or a body
 * that is not JSON stops discovery rather than silently falling through to another document.
 */
Result<std::optional<QByteArray>> metadataBody(const Result<HttpResponse> &r, const QUrl &url)
{
    if (!r)
        return r.error();
    if (r->status >= 400 && r->status < 500)
        return std::optional<QByteArray>();
    if (r->status != 200 || !isJson(r->contentType))
        return Error::make(u"upstream_http_error"_s,
            u"%1 answered HTTP %2 (%3) instead of JSON metadata."_s.arg(url.toDisplayString())
                .arg(r->status)
                .arg(QString::fromLatin1(r->contentType)));
    return std::optional<QByteArray>(r->body);
}

void fetchPrm(std::shared_ptr<DiscoveryRun> run)
{
    if (run->index >= run->prmUrls.size()) {
        run->done(Error::make(u"upstream_no_resource_metadata"_s,
            u"%1 asked for a token but publishes no protected-resource metadata (RFC 9728) at %2; it "
            u"cannot be connected with OAuth. Check the URL, or connect it as a bearer server."_s.arg(
                run->result.mcpUrl.toDisplayString(),
                run->prmUrls.isEmpty() ? QString {} : run->prmUrls.first().toDisplayString())));
        return;
    }
    const QUrl url = run->prmUrls.at(run->index);
    run->http->send("GET", url, jsonHeaders(), {}, [run, url](Result<HttpResponse> r) {
        auto body = metadataBody(r, url);
        if (!body) {
            run->done(body.error());
            return;
        }
        if (!*body) {
            ++run->index;
            fetchPrm(run);
            return;
        }
        Result<ProtectedResourceMetadata> prm = validateProtectedResourceMetadata(**body, run->result.mcpUrl);
        if (!prm) {
            run->done(prm.error());
            return;
        }
        run->result.resourceMetadataUrl = url;
        run->result.resourceMetadata = *prm;
        // MCP ASD: the client uses one of authorization_servers; Tessera takes the first.
        run->asUrls = authorizationServerMetadataUrls(QUrl(prm->authorizationServers.first()));
        run->index = 0;
        fetchAsMetadata(run);
    });
}

void fetchAsMetadata(std::shared_ptr<DiscoveryRun> run)
{
    const QString issuer = run->result.resourceMetadata.authorizationServers.first();
    if (run->index >= run->asUrls.size()) {
        run->done(Error::make(u"upstream_no_as_metadata"_s,
            u"The authorization server %1 publishes no metadata (RFC 8414 or OpenID discovery); "
            u"Tessera cannot sign in there. Check that the MCP server names the right authorization server."_s.arg(
                issuer)));
        return;
    }
    const QUrl url = run->asUrls.at(run->index);
    run->http->send("GET", url, jsonHeaders(), {}, [run, url, issuer](Result<HttpResponse> r) {
        auto body = metadataBody(r, url);
        if (!body) {
            run->done(body.error());
            return;
        }
        if (!*body) {
            ++run->index;
            fetchAsMetadata(run);
            return;
        }
        Result<AuthorizationServerMetadata> as = validateAuthorizationServerMetadata(**body, issuer);
        if (!as) {
            run->done(as.error());
            return;
        }
        run->result.serverMetadata = *as;
        run->result.serverMetadataUrl = url;
        run->done(std::move(run->result));
    });
}

} // namespace

void Discovery::discover(const QUrl &mcpUrl, Callback done)
{
    auto run = std::make_shared<DiscoveryRun>();
    run->http = &m_http;
    run->done = std::move(done);
    run->result.mcpUrl = mcpUrl.adjusted(QUrl::RemoveFragment);

    // An unauthenticated MCP request (an initialize, as a client would start) draws the 401.
    const QByteArray body = QJsonDocument(
        QJsonObject {
            { "jsonrpc"_L1, "2.0"_L1 },
            { "id"_L1, 1 },
            { "method"_L1, "initialize"_L1 },
            { "params"_L1,
                QJsonObject { { "protocolVersion"_L1, QLatin1StringView(ProtocolVersion) },
                    { "capabilities"_L1, QJsonObject {} },
                    { "clientInfo"_L1, QJsonObject { { "name"_L1, "tessera"_L1 }, { "version"_L1, "0"_L1 } } } } },
        })
                                .toJson(QJsonDocument::Compact);
    const UpstreamHttp::Headers headers { { "Content-Type", "application/json" },
        { "Accept", "application/json, text/event-stream" }, { "MCP-Protocol-Version", ProtocolVersion } };
    m_http.send("POST", run->result.mcpUrl, headers, body, [run](Result<HttpResponse> r) {
        if (!r) {
            run->done(r.error());
            return;
        }
        if (r->status >= 200 && r->status < 300) {
            run->done(Error::make(u"upstream_not_protected"_s,
                u"%1 answered without asking for a token, so it needs no OAuth sign-in; connect it "
                u"as a plain or bearer server instead."_s.arg(run->result.mcpUrl.toDisplayString())));
            return;
        }
        if (r->status != 401) {
            run->done(Error::make(u"upstream_http_error"_s,
                u"%1 answered HTTP %2 to a request without a token, not 401; check that this is an "
                u"MCP server URL."_s.arg(run->result.mcpUrl.toDisplayString())
                    .arg(r->status)));
            return;
        }
        Result<QList<Challenge>> challenges = parseWwwAuthenticate(r->wwwAuthenticate);
        if (!challenges) {
            run->done(challenges.error());
            return;
        }
        Result<std::optional<BearerChallenge>> bearer = findBearerChallenge(*challenges);
        if (!bearer) {
            run->done(bearer.error());
            return;
        }
        if (bearer->has_value() && !(*bearer)->resourceMetadata.isEmpty()) {
            // MCP ASD: the header's URL is used as is, with no fallback.
            run->prmUrls = { (*bearer)->resourceMetadata };
        } else {
            run->prmUrls = protectedResourceMetadataUrls(run->result.mcpUrl);
        }
        if (bearer->has_value())
            run->result.challengedScope = (*bearer)->scope;
        fetchPrm(run);
    });
}

} // namespace Tessera::Upstream
