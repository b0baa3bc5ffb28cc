// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The authorization server end to end, for the security suite (security-cases.md A–F, see
// README-security.md): a real SQLite file in a temporary directory, the one AuditLog, an in-memory
// keychain, a KeyManager, a ConsentBroker and the AuthorizationServer on 127.0.0.1:<ephemeral>, all
// on one FakeClock. The server runs on this thread: every helper that talks HTTP spins the event
// loop (RawClient). Approval happens as in the product: ConsentBroker::decide().
//
// Helpers return Result<T> so that a test can stop at the first step that went wrong:
//     AS_TRY(client, f.registerClient());

#include "common/result.h"
#include "consent/consentbroker.h"
#include "http/httplimits.h"
#include "oauth/authorizationserver.h"
#include "oauth/authorizeendpoint.h"
#include "oauth/keymanager.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/records.h"
#include "support/fakeclock.h"
#include "support/httptestclient.h"
#include "vault/memorysecretstore.h"

#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>

#include <memory>
#include <optional>

/** Declares @p var as the value of a Result, or fails the test with the error. */
#define AS_TRY(var, expr)                                                                                              \
    auto var##Result_ = (expr);                                                                                        \
    QVERIFY2(var##Result_.ok(), qPrintable(var##Result_.ok() ? QString() : var##Result_.error().toString()));          \
    auto &var = *var##Result_

namespace Tessera::Test {

/** An ordered list of form or query parameters. Repeats are possible on purpose (B4). */
class Params
{
public:
    Params() = default;
    Params(std::initializer_list<QPair<QString, QString>> items) : m_items(items) { }
    /** Replaces every occurrence of @p name by one, or appends it. */
    Params &set(const QString &name, const QString &value);
    /** Appends, even if @p name is already there. */
    Params &add(const QString &name, const QString &value);
    Params &remove(const QString &name);
    [[nodiscard]] std::optional<QString> value(const QString &name) const;
    /** application/x-www-form-urlencoded, every byte outside the unreserved set percent-encoded. */
    [[nodiscard]] QByteArray encoded() const;

private:
    QList<QPair<QString, QString>> m_items;
};

/** The OAuth `error` member of a JSON reply (empty if none). */
[[nodiscard]] QString errorOf(const HttpReply &reply);

/** A fresh RFC 7636 pair: a 43-character verifier and its S256 challenge. */
struct Pkce
{
    QByteArray verifier;
    QByteArray challenge;
    [[nodiscard]] static Pkce fresh();
};

struct TestClient
{
    QString id;
    QString secret; ///< empty for a public client
    QString redirectUri; ///< what requests send (the registered loopback URI with a port)
    QString authMethod; ///< none, client_secret_basic or client_secret_post
};

/** A redirect to the client, parsed: what a callback listener would see. */
struct Redirect
{
    int status = 0;
    QByteArray location;
    QString target; ///< the location up to '?'
    QList<QPair<QString, QString>> params; ///< decoded, in order, repeats kept
    [[nodiscard]] QString value(const QString &name) const;
    [[nodiscard]] int count(const QString &name) const;
    [[nodiscard]] QString code() const { return value(QStringLiteral("code")); }
    [[nodiscard]] QString error() const { return value(QStringLiteral("error")); }
};
/** The reply must be a redirect with a Location. */
[[nodiscard]] Result<Redirect> parseRedirect(const HttpReply &reply);

/**
 * A started authorization, as a browser leaves it: the waiting page was served, a consent
 * request is pending, and a second connection holds GET /authorize/wait with the page's cookie.
 */
struct PendingAuthorization
{
    HttpReply page;
    QString consentId;
    QByteArray waitPath;
    QByteArray cookie; ///< name=value
    std::shared_ptr<RawClient> waiter;
};

struct Tokens
{
    HttpReply reply;
    QJsonObject json;
    QString accessToken;
    QString refreshToken;
    QString scope;
    qint64 expiresIn = 0;
};

class AsFixture
{
public:
    struct Options
    {
        std::optional<Http::HttpLimits> httpLimits;
    };
    static constexpr char IntrospectionSecret[] = "rs-secret-of-mcp";
    static constexpr char ResourceUri[] = "http://127.0.0.1:7400/mcp";

    explicit AsFixture(const Options &options = {});
    ~AsFixture();
    AsFixture(const AsFixture &) = delete;
    AsFixture &operator=(const AsFixture &) = delete;

    /** Whether everything started; tests QVERIFY it first. */
    [[nodiscard]] const Status &setup() const { return m_setup; }
    /** Stops the server and drops every service, then opens the same database (and keychain) and
        starts a new server, on a new port: what a restart of Tessera leaves. */
    [[nodiscard]] Status restart();

    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString issuer() const;
    /** "Host: 127.0.0.1:PORT" value. */
    [[nodiscard]] QByteArray host() const;

    // --- raw HTTP, each on a new connection; status 0 means no reply (refused, closed, timeout)
    [[nodiscard]] HttpReply send(const QByteArray &raw, int timeoutMs = 3000);
    [[nodiscard]] HttpReply get(const QByteArray &target, const QByteArray &extraHeaders = {});
    [[nodiscard]] HttpReply post(const QByteArray &path, const QByteArray &contentType, const QByteArray &body,
        const QByteArray &extraHeaders = {});
    [[nodiscard]] HttpReply postForm(const QByteArray &path, const Params &form, const QByteArray &extraHeaders = {});
    [[nodiscard]] static QJsonObject json(const HttpReply &reply);

    // --- resources: "mcp" (read low, write high, admin high; default read; 300 s) exists from the start
    [[nodiscard]] Result<Store::Resource> addResource(const QString &name, const QString &uri,
        const QStringList &defaultScopes = { QStringLiteral("read") }, qint64 lifetimeSecs = 300,
        const QByteArray &introspectionSecret = {});

    // --- clients
    /** POST /register: public client, http://127.0.0.1/cb, both grant types, unless @p overrides say otherwise. */
    [[nodiscard]] Result<TestClient> registerClient(const QJsonObject &overrides = {});
    [[nodiscard]] qint64 clientCount();

    // --- authorization
    /** response_type, client_id, redirect_uri, S256 challenge, state, resource (no scope: the default). */
    [[nodiscard]] Params authorizeParams(const TestClient &client, const Pkce &pkce) const;
    [[nodiscard]] HttpReply getAuthorize(const Params &query, const QByteArray &extraHeaders = {});
    [[nodiscard]] Result<PendingAuthorization> begin(const Params &query, const QByteArray &extraHeaders = {});
    /** The rest of begin() for a page already fetched: cookie, consent id, the held wait request. */
    [[nodiscard]] Result<PendingAuthorization> waitFor(const HttpReply &page, const QString &clientId);
    /** Decides through the broker and reads what the held wait request gets. */
    [[nodiscard]] Result<Redirect> decide(PendingAuthorization &pending, const Consent::Decision &decision);
    /** Approves @p scopes (empty: everything requested) for @p duration. */
    [[nodiscard]] Result<Redirect> approve(PendingAuthorization &pending, const QStringList &scopes = {},
        Consent::Duration duration = Consent::Duration::OneHour);
    /** begin() + approve(), or the immediate redirect when /authorize answers at once. */
    [[nodiscard]] Result<Redirect> authorize(
        const Params &query, const QStringList &scopes = {}, Consent::Duration duration = Consent::Duration::OneHour);
    [[nodiscard]] int pendingConsents() const;

    // --- token, revocation, introspection (client authentication as the client registered)
    [[nodiscard]] Params redemption(const TestClient &client, const QString &code, const Pkce &pkce) const;
    [[nodiscard]] HttpReply token(const TestClient &client, Params form, const QByteArray &extraHeaders = {});
    [[nodiscard]] Result<Tokens> redeem(const TestClient &client, const QString &code, const Pkce &pkce);
    [[nodiscard]] HttpReply refreshReply(
        const TestClient &client, const QString &refreshToken, const Params &extra = {});
    [[nodiscard]] Result<Tokens> refresh(
        const TestClient &client, const QString &refreshToken, const Params &extra = {});
    /** A refresh whose answer never reaches the client: sent, committed, connection closed unread. */
    [[nodiscard]] Status refreshAnswerLost(const TestClient &client, const QString &refreshToken);
    /** The whole flow: authorize @p scope, approve it all, redeem. */
    [[nodiscard]] Result<Tokens> issueTokens(const TestClient &client,
        const QString &scope = QStringLiteral("read write"), Consent::Duration duration = Consent::Duration::OneHour);
    [[nodiscard]] HttpReply revoke(const TestClient &client, const QString &token, const QString &hint = {});
    /** POST /introspect as resource @p resourceName (default "mcp") with @p secret (default its secret). */
    [[nodiscard]] HttpReply introspect(const QString &token, const QString &resourceName = QStringLiteral("mcp"),
        const QByteArray &secret = QByteArray(IntrospectionSecret));
    /** Introspection says active (and answered 200). */
    [[nodiscard]] bool isActive(const QString &token);
    [[nodiscard]] static Result<Tokens> parseTokens(const HttpReply &reply);

    // --- state
    [[nodiscard]] qint64 scalar(const QString &sql, const QStringList &textBinds = {});
    [[nodiscard]] std::optional<Store::Grant> grantOfAccessToken(const QString &accessToken);
    [[nodiscard]] Status rotateKey();
    [[nodiscard]] static QJsonObject jwtHeader(const QString &jwt);
    [[nodiscard]] static QJsonObject jwtClaims(const QString &jwt);

    QTemporaryDir dir;
    FakeClock clock;
    std::unique_ptr<Store::Database> db;
    std::unique_ptr<Store::AuditLog> audit;
    std::unique_ptr<Vault::MemorySecretStore> vault;
    std::unique_ptr<OAuth::KeyManager> keys;
    std::unique_ptr<Consent::ConsentBroker> broker;
    std::unique_ptr<OAuth::AuthorizationServer> server;
    Store::Resource resource;
    /** Listens (never accepts) on the port of registerClient()'s loopback redirect URIs. */
    QTcpServer redirectListener;

private:
    [[nodiscard]] QByteArray clientAuthHeader(const TestClient &client) const;
    void addClientAuth(const TestClient &client, Params &form) const;
    [[nodiscard]] Status openServices();
    [[nodiscard]] Status startServer();

    Options m_options;
    Status m_setup;
};

} // namespace Tessera::Test
