// SPDX-License-Identifier: GPL-3.0-or-later
#include "asfixture.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/pkce.h"
#include "crypto/random.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

namespace Tessera::Test {

namespace {

Error fail(const QString &message)
{
    return Error::make(QStringLiteral("fixture"), message);
}

QString describe(const HttpReply &reply)
{
    return QStringLiteral("HTTP %1 %2").arg(reply.status).arg(QString::fromUtf8(reply.body.left(300)));
}

QString decodeComponent(QByteArray raw)
{
    raw.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(raw));
}

} // namespace

QString errorOf(const HttpReply &reply)
{
    return QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("error")).toString();
}

Params &Params::set(const QString &name, const QString &value)
{
    remove(name);
    m_items.append({ name, value });
    return *this;
}

Params &Params::add(const QString &name, const QString &value)
{
    m_items.append({ name, value });
    return *this;
}

Params &Params::remove(const QString &name)
{
    m_items.removeIf([&name](const QPair<QString, QString> &p) { return p.first == name; });
    return *this;
}

std::optional<QString> Params::value(const QString &name) const
{
    for (const auto &[n, v] : m_items) {
        if (n == name)
            return v;
    }
    return std::nullopt;
}

QByteArray Params::encoded() const
{
    QByteArray out;
    for (const auto &[name, value] : m_items) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

Pkce Pkce::fresh()
{
    const QByteArray verifier = Crypto::base64UrlEncode(Crypto::randomBytes(32).valueOr(QByteArray(32, 'x')));
    return Pkce { verifier, Crypto::s256Challenge(verifier) };
}

QString Redirect::value(const QString &name) const
{
    for (const auto &[n, v] : params) {
        if (n == name)
            return v;
    }
    return {};
}

int Redirect::count(const QString &name) const
{
    int n = 0;
    for (const auto &p : params)
        n += p.first == name ? 1 : 0;
    return n;
}

Result<Redirect> parseRedirect(const HttpReply &reply)
{
    if (reply.status < 300 || reply.status > 399 || !reply.hasHeader("location"))
        return fail(QStringLiteral("expected a redirect, got ") + describe(reply));
    Redirect r;
    r.status = reply.status;
    r.location = reply.header("location");
    const qsizetype q = r.location.indexOf('?');
    r.target = QString::fromUtf8(q < 0 ? r.location : r.location.left(q));
    if (q >= 0) {
        for (const QByteArray &pair : r.location.mid(q + 1).split('&')) {
            const qsizetype eq = pair.indexOf('=');
            r.params.append({ decodeComponent(eq < 0 ? pair : pair.left(eq)),
                eq < 0 ? QString() : decodeComponent(pair.mid(eq + 1)) });
        }
    }
    return r;
}

AsFixture::AsFixture(const Options &options) : m_options(options)
{
    m_setup = [&]() -> Status {
        if (!dir.isValid())
            return fail(QStringLiteral("no temporary directory"));
        vault = std::make_unique<Vault::MemorySecretStore>();
        if (Status s = openServices(); !s)
            return s;
        auto added = addResource(QStringLiteral("mcp"), QString::fromLatin1(ResourceUri), { QStringLiteral("read") },
            300, QByteArray(IntrospectionSecret));
        if (!added)
            return added.error();
        resource = *added;
        // The clients' loopback redirect port: held by this process, as a real client holds its own
        // (R3/R4: only a listener of the person's uid receives a code, silently only the one approved).
        if (!redirectListener.listen(QHostAddress::LocalHost, 0))
            return fail(QStringLiteral("cannot listen for redirects: ") + redirectListener.errorString());
        return startServer();
    }();
}

Status AsFixture::openServices()
{
    auto opened = Store::Database::open(dir.filePath(QStringLiteral("tessera.db")));
    if (!opened)
        return opened.error();
    db = std::move(*opened);
    audit = std::make_unique<Store::AuditLog>(*db, clock);
    keys = std::make_unique<OAuth::KeyManager>(*db, *audit, *vault, clock);
    std::optional<Status> loaded;
    keys->load([&loaded](Status s) { loaded = s; });
    if (!QTest::qWaitFor([&] { return loaded.has_value(); }, 5000))
        return fail(QStringLiteral("KeyManager::load never answered"));
    if (!*loaded)
        return loaded->error();

    // The G-group limits (prompt flooding) are not what these tests are about; the suite runs
    // many authorizations per client within one fake minute.
    Consent::ConsentBroker::Limits limits;
    limits.maxPendingPerClient = 16;
    limits.maxNewPerClientPerMinute = 1000;
    limits.denialsBeforeCooldown = 1000;
    broker = std::make_unique<Consent::ConsentBroker>(*db, *audit, clock, limits);
    return {};
}

Status AsFixture::startServer()
{
    server = std::make_unique<OAuth::AuthorizationServer>(OAuth::ServerContext {
        *db, *audit, clock, *keys, *broker, QStringLiteral("http://127.0.0.1:0"), QStringLiteral("local:tester") });
    server->setAllowEphemeralPortForTesting(true);
    if (m_options.httpLimits)
        server->setHttpLimitsForTesting(*m_options.httpLimits);
    return server->start(0);
}

Status AsFixture::restart()
{
    // Everything in memory goes (the token endpoint's retry answers included); the database file
    // and the keychain stay, as across a restart of Tessera.
    if (server)
        server->stop();
    server.reset();
    broker.reset();
    keys.reset();
    audit.reset();
    db.reset();
    if (Status s = openServices(); !s)
        return s;
    return startServer();
}

AsFixture::~AsFixture()
{
    if (server)
        server->stop();
}

quint16 AsFixture::port() const
{
    return server ? server->port() : 0;
}

QString AsFixture::issuer() const
{
    return server ? server->context().issuer : QString();
}

QByteArray AsFixture::host() const
{
    return "127.0.0.1:" + QByteArray::number(port());
}

HttpReply AsFixture::send(const QByteArray &raw, int timeoutMs)
{
    RawClient client;
    if (!client.connectTo(port()))
        return {};
    return client.exchange(raw, timeoutMs).value_or(HttpReply {});
}

HttpReply AsFixture::get(const QByteArray &target, const QByteArray &extraHeaders)
{
    return send(getRequest(target, port(), extraHeaders));
}

HttpReply AsFixture::post(
    const QByteArray &path, const QByteArray &contentType, const QByteArray &body, const QByteArray &extraHeaders)
{
    return send(postRequest(path, port(), contentType, body, extraHeaders));
}

HttpReply AsFixture::postForm(const QByteArray &path, const Params &form, const QByteArray &extraHeaders)
{
    return post(path, "application/x-www-form-urlencoded", form.encoded(), extraHeaders);
}

QJsonObject AsFixture::json(const HttpReply &reply)
{
    return QJsonDocument::fromJson(reply.body).object();
}

Result<Store::Resource> AsFixture::addResource(const QString &name, const QString &uri,
    const QStringList &defaultScopes, qint64 lifetimeSecs, const QByteArray &introspectionSecret)
{
    Store::Resource r;
    r.uri = uri;
    r.name = name;
    r.displayName = QStringLiteral("Test ") + name;
    r.tokenLifetimeSecs = lifetimeSecs;
    r.defaultScopes = defaultScopes;
    r.scopes = {
        { QStringLiteral("read"), QStringLiteral("Read things"), Store::Risk::Low },
        { QStringLiteral("write"), QStringLiteral("Change things"), Store::Risk::High },
        { QStringLiteral("admin"), QStringLiteral("Administer everything"), Store::Risk::High },
    };
    if (!introspectionSecret.isEmpty())
        r.introspectionSecretHash = Crypto::sha256(introspectionSecret);
    return Store::ResourceStore(*db).add(r, clock.nowSecs());
}

Result<TestClient> AsFixture::registerClient(const QJsonObject &overrides)
{
    QJsonObject body {
        { QStringLiteral("redirect_uris"), QJsonArray { QStringLiteral("http://127.0.0.1/cb") } },
        { QStringLiteral("token_endpoint_auth_method"), QStringLiteral("none") },
        { QStringLiteral("grant_types"),
            QJsonArray { QStringLiteral("authorization_code"), QStringLiteral("refresh_token") } },
        { QStringLiteral("client_name"), QStringLiteral("Test Agent") },
    };
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        body.insert(it.key(), it.value());
    const HttpReply reply = post("/register", "application/json", QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (reply.status != 201)
        return fail(QStringLiteral("registration failed: ") + describe(reply));
    const QJsonObject registered = json(reply);
    TestClient c;
    c.id = registered.value(QStringLiteral("client_id")).toString();
    c.secret = registered.value(QStringLiteral("client_secret")).toString();
    c.authMethod = registered.value(QStringLiteral("token_endpoint_auth_method")).toString();
    c.redirectUri = registered.value(QStringLiteral("redirect_uris")).toArray().first().toString();
    // RFC 8252 §7.3: a loopback client listens on a port chosen at run time.
    if (c.redirectUri.startsWith(QLatin1String("http://127.0.0.1/")))
        c.redirectUri.replace(QLatin1String("http://127.0.0.1/"),
            QStringLiteral("http://127.0.0.1:%1/").arg(redirectListener.serverPort()));
    return c;
}

qint64 AsFixture::clientCount()
{
    return scalar(QStringLiteral("SELECT count(*) FROM clients"));
}

Params AsFixture::authorizeParams(const TestClient &client, const Pkce &pkce) const
{
    return Params {
        { QStringLiteral("response_type"), QStringLiteral("code") },
        { QStringLiteral("client_id"), client.id },
        { QStringLiteral("redirect_uri"), client.redirectUri },
        { QStringLiteral("code_challenge"), QString::fromLatin1(pkce.challenge) },
        { QStringLiteral("code_challenge_method"), QStringLiteral("S256") },
        { QStringLiteral("state"), QStringLiteral("st-") + QString::fromLatin1(pkce.challenge.left(8)) },
        { QStringLiteral("resource"), resource.uri },
    };
}

HttpReply AsFixture::getAuthorize(const Params &query, const QByteArray &extraHeaders)
{
    return get("/authorize?" + query.encoded(), extraHeaders);
}

Result<PendingAuthorization> AsFixture::begin(const Params &query, const QByteArray &extraHeaders)
{
    return waitFor(getAuthorize(query, extraHeaders), query.value(QStringLiteral("client_id")).value_or(QString()));
}

Result<PendingAuthorization> AsFixture::waitFor(const HttpReply &page, const QString &clientId)
{
    PendingAuthorization p;
    p.page = page;
    if (p.page.status != 200)
        return fail(QStringLiteral("expected the waiting page, got ") + describe(p.page));
    const QByteArray setCookie = p.page.header("set-cookie");
    p.cookie = setCookie.left(setCookie.indexOf(';'));
    const QRegularExpressionMatch m
        = QRegularExpression(QStringLiteral("content=\"0;url=([^\"]+)\"")).match(QString::fromUtf8(p.page.body));
    if (p.cookie.isEmpty() || !m.hasMatch())
        return fail(QStringLiteral("the waiting page has no cookie or no wait URL"));
    p.waitPath = m.captured(1).toLatin1();
    for (const Consent::ConsentRequest &r : broker->pending()) {
        if (r.requester.clientId == clientId)
            p.consentId = r.id; // the newest one for this client
    }
    if (p.consentId.isEmpty())
        return fail(QStringLiteral("no consent request is pending"));
    p.waiter = std::make_shared<RawClient>();
    if (!p.waiter->connectTo(port()))
        return fail(QStringLiteral("cannot connect the waiting browser"));
    p.waiter->send(getRequest(p.waitPath, port(), "Cookie: " + p.cookie + "\r\n"));
    // The wait request is held until someone decides.
    if (auto early = p.waiter->readReply(40))
        return fail(QStringLiteral("the wait request was answered before any decision: ") + describe(*early));
    return p;
}

Result<Redirect> AsFixture::decide(PendingAuthorization &pending, const Consent::Decision &decision)
{
    if (Status s = broker->decide(pending.consentId, decision); !s)
        return s.error();
    const std::optional<HttpReply> reply = pending.waiter->readReply(3000);
    if (!reply)
        return fail(QStringLiteral("the held wait request got no answer"));
    return parseRedirect(*reply);
}

Result<Redirect> AsFixture::approve(
    PendingAuthorization &pending, const QStringList &scopes, Consent::Duration duration)
{
    QStringList approved = scopes;
    if (approved.isEmpty()) {
        if (auto r = broker->find(pending.consentId))
            approved = r->scopeNames();
    }
    return decide(pending, Consent::Decision::approve(approved, duration, QStringLiteral("desktop")));
}

Result<Redirect> AsFixture::authorize(const Params &query, const QStringList &scopes, Consent::Duration duration)
{
    // Covered by an active grant, or an error for the client: the first answer is the redirect.
    const HttpReply page = getAuthorize(query);
    if (page.status == 303)
        return parseRedirect(page);
    auto pending = waitFor(page, query.value(QStringLiteral("client_id")).value_or(QString()));
    if (!pending)
        return pending.error();
    return approve(*pending, scopes, duration);
}

int AsFixture::pendingConsents() const
{
    return int(broker->pending().size());
}

QByteArray AsFixture::clientAuthHeader(const TestClient &client) const
{
    if (client.authMethod != QStringLiteral("client_secret_basic"))
        return {};
    const QByteArray credentials = QUrl::toPercentEncoding(client.id) + ':' + QUrl::toPercentEncoding(client.secret);
    return "Authorization: Basic " + credentials.toBase64() + "\r\n";
}

void AsFixture::addClientAuth(const TestClient &client, Params &form) const
{
    if (client.authMethod == QStringLiteral("client_secret_basic"))
        return;
    if (!form.value(QStringLiteral("client_id")))
        form.add(QStringLiteral("client_id"), client.id);
    if (client.authMethod == QStringLiteral("client_secret_post") && !form.value(QStringLiteral("client_secret")))
        form.add(QStringLiteral("client_secret"), client.secret);
}

Params AsFixture::redemption(const TestClient &client, const QString &code, const Pkce &pkce) const
{
    return Params {
        { QStringLiteral("grant_type"), QStringLiteral("authorization_code") },
        { QStringLiteral("code"), code },
        { QStringLiteral("redirect_uri"), client.redirectUri },
        { QStringLiteral("code_verifier"), QString::fromLatin1(pkce.verifier) },
    };
}

HttpReply AsFixture::token(const TestClient &client, Params form, const QByteArray &extraHeaders)
{
    addClientAuth(client, form);
    return postForm("/token", form, clientAuthHeader(client) + extraHeaders);
}

Result<Tokens> AsFixture::parseTokens(const HttpReply &reply)
{
    if (reply.status != 200)
        return fail(QStringLiteral("token request failed: ") + describe(reply));
    Tokens t;
    t.reply = reply;
    t.json = json(reply);
    t.accessToken = t.json.value(QStringLiteral("access_token")).toString();
    t.refreshToken = t.json.value(QStringLiteral("refresh_token")).toString();
    t.scope = t.json.value(QStringLiteral("scope")).toString();
    t.expiresIn = t.json.value(QStringLiteral("expires_in")).toInteger();
    if (t.accessToken.isEmpty())
        return fail(QStringLiteral("no access_token in ") + describe(reply));
    return t;
}

Result<Tokens> AsFixture::redeem(const TestClient &client, const QString &code, const Pkce &pkce)
{
    return parseTokens(token(client, redemption(client, code, pkce)));
}

HttpReply AsFixture::refreshReply(const TestClient &client, const QString &refreshToken, const Params &extra)
{
    Params form = extra;
    form.set(QStringLiteral("grant_type"), QStringLiteral("refresh_token"));
    form.set(QStringLiteral("refresh_token"), refreshToken);
    return token(client, form);
}

Result<Tokens> AsFixture::refresh(const TestClient &client, const QString &refreshToken, const Params &extra)
{
    return parseTokens(refreshReply(client, refreshToken, extra));
}

Status AsFixture::refreshAnswerLost(const TestClient &client, const QString &refreshToken)
{
    Params form;
    form.set(QStringLiteral("grant_type"), QStringLiteral("refresh_token"));
    form.set(QStringLiteral("refresh_token"), refreshToken);
    addClientAuth(client, form);
    const QString rows = QStringLiteral("SELECT count(*) FROM refresh_tokens");
    const qint64 before = scalar(rows);
    RawClient c;
    if (!c.connectTo(port()))
        return fail(QStringLiteral("cannot connect to the token endpoint"));
    c.send(
        postRequest("/token", port(), "application/x-www-form-urlencoded", form.encoded(), clientAuthHeader(client)));
    // The answer is written once the rotation committed; the client is gone before reading it.
    if (!QTest::qWaitFor([&] { return scalar(rows) > before; }, 3000))
        return fail(QStringLiteral("the refresh whose answer was to be lost did not rotate"));
    c.socket().abort();
    return {};
}

Result<Tokens> AsFixture::issueTokens(const TestClient &client, const QString &scope, Consent::Duration duration)
{
    const Pkce pkce = Pkce::fresh();
    Params q = authorizeParams(client, pkce);
    if (!scope.isEmpty())
        q.set(QStringLiteral("scope"), scope);
    auto redirect = authorize(q, {}, duration);
    if (!redirect)
        return redirect.error();
    if (redirect->code().isEmpty())
        return fail(QStringLiteral("no code in ") + QString::fromUtf8(redirect->location));
    return redeem(client, redirect->code(), pkce);
}

HttpReply AsFixture::revoke(const TestClient &client, const QString &token, const QString &hint)
{
    Params form { { QStringLiteral("token"), token } };
    if (!hint.isEmpty())
        form.add(QStringLiteral("token_type_hint"), hint);
    addClientAuth(client, form);
    return postForm("/revoke", form, clientAuthHeader(client));
}

HttpReply AsFixture::introspect(const QString &token, const QString &resourceName, const QByteArray &secret)
{
    const QByteArray credentials = QByteArray(resourceName.toUtf8() + ':' + secret).toBase64();
    return postForm(
        "/introspect", Params { { QStringLiteral("token"), token } }, "Authorization: Basic " + credentials + "\r\n");
}

bool AsFixture::isActive(const QString &token)
{
    const HttpReply r = introspect(token);
    return r.status == 200 && json(r).value(QStringLiteral("active")).toBool();
}

qint64 AsFixture::scalar(const QString &sql, const QStringList &textBinds)
{
    auto q = db->prepare(sql);
    if (!q)
        return -1;
    for (const QString &b : textBinds)
        q->bindText(b);
    if (!q->exec() || !q->next())
        return -1;
    return q->int64(0);
}

std::optional<Store::Grant> AsFixture::grantOfAccessToken(const QString &accessToken)
{
    const QString jti = jwtClaims(accessToken).value(QStringLiteral("jti")).toString();
    auto g = Store::GrantStore(*db).find(jti.section(u'.', 0, 0));
    return g ? *g : std::nullopt;
}

Status AsFixture::rotateKey()
{
    std::optional<Status> done;
    keys->rotate(QStringLiteral("test rotation"), [&done](Status s) { done = s; });
    if (!QTest::qWaitFor([&] { return done.has_value(); }, 5000))
        return fail(QStringLiteral("KeyManager::rotate never answered"));
    return *done;
}

QJsonObject AsFixture::jwtHeader(const QString &jwt)
{
    return QJsonDocument::fromJson(Crypto::base64UrlDecode(jwt.section(u'.', 0, 0).toLatin1()).valueOr(QByteArray()))
        .object();
}

QJsonObject AsFixture::jwtClaims(const QString &jwt)
{
    return QJsonDocument::fromJson(Crypto::base64UrlDecode(jwt.section(u'.', 1, 1).toLatin1()).valueOr(QByteArray()))
        .object();
}

} // namespace Tessera::Test
