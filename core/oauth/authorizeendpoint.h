// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "consent/consentrequest.h"
#include "http/responder.h"
#include "ipc/portownerresolver.h"
#include "oauth/grantservice.h"
#include "oauth/oautherror.h"
#include "oauth/servercontext.h"

#include <QHash>
#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace Tessera {
class FormData;
}
namespace Tessera::Http {
struct Request;
}

namespace Tessera::OAuth {

class CimdFetcher;

/**
 * @brief GET /authorize and GET /authorize/wait (RFC 6749 §4.1.1-4.1.2, OAuth 2.1, RFC 7636,
 * RFC 8707, RFC 9207).
 *
 *     program --fetch() /authorize?...--> JSON error, no prompt, no transaction, no cookie (issue 10.3)
 *        unknown or expired client ........................ 400 invalid_client (it registers again)
 *        otherwise ........................................ 403 navigation_required
 *     browser --GET /authorize?...--> validate
 *        unknown client, bad redirect_uri, malformed query ........ error page here, no redirect
 *        anything else wrong ...................................... 303 redirect_uri?error=..&state&iss
 *        loopback redirect: who listens on its port? (off the event loop, within a budget; R8)
 *        another user's program listens there ..................... error page here, no prompt (R3)
 *        covered by an active grant, and the program that received the code when the person
 *        approved listens there again ............................. 303 redirect_uri?code&state&iss
 *        otherwise: consent request -> broker; 200 "approve in Tessera" page + cookie
 *     browser --GET /authorize/wait?txn=ID (same browser: cookie)--> held until the decision
 *        approved -> who listens now? another user's program, or another program than the
 *        prompt named -> 303 /authorize/refused (no code; R3)
 *        approved -> grant (+ the receiving executable, R4) + code -> 303 redirect_uri?code&state&iss
 *        denied / timed out / frozen -> 303 redirect_uri?error=access_denied&state&iss
 *
 * The code is bound to the snapshot taken when the request arrived (security-cases G5).
 * Approval itself never happens over HTTP: only in Tessera's window or over the operator
 * socket (product.md invariants).
 */
class AuthorizeEndpoint : public QObject
{
    Q_OBJECT
public:
    static constexpr int MaxStateLength = 2048;
    /**
     * @brief Issue 9 R7b: authorization transactions waiting (for a person, or for the browser to
     * collect the answer), per client and in all. The broker merges identical prompts, so
     * without these a page could pile up merged transactions without end. Far above what a
     * person's browser tabs need, far below what hurts memory or the event loop.
     */
    static constexpr int MaxTransactionsPerClient = 16;
    static constexpr int MaxTransactions = 256;
    /** @brief A released wait (R7a) is asked again after this long. */
    static constexpr int StillWaitingRetrySecs = 2;

    AuthorizeEndpoint(ServerContext &ctx, GrantService &grants, CimdFetcher &cimd, QObject *parent = nullptr);
    ~AuthorizeEndpoint() override;

    void handleAuthorize(const Http::Request &request, Http::Responder responder);
    void handleWait(const Http::Request &request, Http::Responder responder);
    /** @brief GET /authorize/refused?reason=R&port=N: why no code was sent (fixed texts only). */
    void handleRefused(const Http::Request &request, Http::Responder responder);

    /** @brief Who listens on loopback redirect ports; tests set its budget or a slow lookup. */
    [[nodiscard]] Ipc::PortOwnerResolver &portOwnerResolver() { return *m_portOwners; }
    [[nodiscard]] int pendingTransactions() const { return int(m_transactions.size()); }
    /** @brief Ends transactions whose time is up; runs on a timer, callable from tests. */
    void sweep();

private:
    struct Transaction
    {
        QString id;
        QString consentId;
        AuthorizationSnapshot snapshot;
        QByteArray cookieSecretHash;
        std::optional<QUrl> outcome; ///< where the browser goes once decided
        std::shared_ptr<Http::Responder> waiter; ///< the held /authorize/wait request, if any
        qint64 expiresAtMs = 0;
    };

    void withClient(const Http::Request &request, Http::Responder responder, const QString &clientId,
        std::function<void(Http::Responder, const Store::Client &)> next);
    /** @brief The registered client, unless unknown or an unconsented registration past its expiry. */
    [[nodiscard]] std::optional<Store::Client> liveClient(const QString &clientId) const;
    /** @brief A program's fetch() of /authorize: a JSON error, no side effects (issue 10.3). */
    void answerProbe(const Http::Request &request, Http::Responder responder);
    void authorize(const FormData &query, Http::Responder responder, const Store::Client &client,
        const std::optional<Ipc::PortOwnerReport> &receiver = std::nullopt);
    void describeReceiver(Consent::Requester &who, const Ipc::PortOwnerReport &receiver,
        const std::optional<Store::GrantReceiver> &recorded, bool covered);
    void decideAfterReceiverCheck(const QString &txnId, const Consent::Decision &decision);
    void recordReceiver(const QString &txnId, const Store::Grant &grant);
    void refuseAnswer(const QString &txnId, const QString &reason, const Ipc::PortOwnerReport &receiver);
    void redirectError(Http::Responder &responder, const AuthorizationSnapshot &s, const OAuthError &e);
    void approveAndRedirect(Http::Responder &responder, const Store::Grant &grant, const AuthorizationSnapshot &s);
    void onDecision(const QString &txnId, const Consent::Decision &decision);
    void settle(const QString &txnId, const QUrl &outcome);
    using TransactionIt = QHash<QString, struct Transaction>::iterator;
    TransactionIt eraseTransaction(TransactionIt it);
    [[nodiscard]] static QString challengeKey(const QString &clientId, const QString &challenge)
    {
        return clientId + u'\n' + challenge;
    }
    [[nodiscard]] static bool clientUsesAuthorizationCode(const Store::Client &client);

    [[nodiscard]] QUrl codeRedirect(const AuthorizationSnapshot &s, const QString &code) const;
    [[nodiscard]] QUrl errorRedirect(const AuthorizationSnapshot &s, const OAuthError &e) const;
    [[nodiscard]] QUrl withParams(const QString &redirectUri, const QList<QPair<QString, QString>> &params) const;

    ServerContext &m_ctx;
    GrantService &m_grants;
    CimdFetcher &m_cimd;
    Ipc::PortOwnerResolver *m_portOwners;
    QHash<QString, Ipc::ExecutableIdentity> m_promptedReceivers; ///< txn -> the program the prompt named
    QHash<QString, Ipc::ExecutableIdentity> m_approvedReceivers; ///< txn -> the program checked after approval
    QHash<QString, Transaction> m_transactions;
    QHash<QString, QString> m_byChallenge; ///< challengeKey() -> txn: a reload is found without a scan (R7b)
    QHash<QString, int> m_perClient; ///< clientId -> transactions (R7b)
    QHash<QString, qint64> m_usedChallenges; ///< S256 challenges that already led to a code (RFC 9700 §2.1.1)
    QTimer *m_sweeper;
};

} // namespace Tessera::OAuth
