// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "oauth/oautherror.h"
#include "store/records.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <functional>

/**
 * @file
 * @brief Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-00,
 * "CIMD-00"; MCP 2025-11-25+ client registration): a client_id that is an https URL names a
 * JSON document with the client's metadata, which Tessera fetches.
 *
 * Fetching an attacker-chosen URL from the person's machine is a server-side request forgery
 * risk (CIMD-00 §6.5; mcp-authorization AS-11; security-cases §3 "SSRF against the AS"), so:
 *
 *     fetch(url)
 *       cache hit (fresh)? ----------------------------------------------> client
 *       parseClientIdUrl: https, canonical, path != "/", no fragment/userinfo/dot segments
 *       host is an IP literal? --> vet it     else QHostInfo --> vet EVERY address
 *         (loopback, RFC 1918, CGNAT, link-local incl. 169.254.169.254, ULA, multicast,
 *          unspecified, broadcast, documentation/benchmark ranges, 0/8, 240/4, and IPv4
 *          embedded in mapped/compatible/NAT64/6to4 IPv6 addresses: any hit refuses)
 *       connect to the vetted address itself (no second lookup, no proxy), TLS 1.2+,
 *       certificate verified against the host name (SNI = host name)
 *       GET path, Accept: application/json, Connection: close, no cookies, no credentials
 *       200 + JSON content type, header block <= 8 KiB, body <= 5 KiB (CIMD-00 §6.6: a larger
 *       Content-Length is refused before any body byte is read), all within 5 s
 *       validate the document ----------------------------------------------> client (cached
 *                                                                               per Cache-Control)
 *
 * Redirects are never followed: a 3xx would point the fetch at a host that was never vetted
 * (the classic way around SSRF filters), and a document that moved could not match its own
 * client_id anyway (CIMD-00 §4.1 requires client_id to equal the URL it is served from).
 *
 * The document (CIMD-00 §4.1, MCP client-registration, mcp-authorization AS-07/AS-10): a JSON
 * object (parseStrictJson) whose client_id equals the URL exactly (simple string comparison),
 * with client_name and redirect_uris, no client_secret, token_endpoint_auth_method absent or
 * "none"; other metadata as for DCR (validateClientMetadata with MetadataSource::MetadataDocument).
 *
 * Caching (CIMD-00 §4.4, AS-08): valid documents only, never errors; `no-store`/`no-cache` or
 * `max-age=0` → not cached; `max-age=N` → N seconds, at most maxCacheSecs; no max-age →
 * defaultCacheSecs. Keyed by the client_id URL; times from the injected Clock.
 *
 * Failures are `invalid_client` (HTTP 401 status preset; at /authorize the error is shown
 * locally and never redirected) with a description a person can act on, or
 * `temporarily_unavailable` when too many fetches are already running.
 */
namespace Tessera {
class Clock;
}

namespace Tessera::OAuth {

class CimdFetch;

class CimdFetcher : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int maxUrlChars = 2048;
        qsizetype maxBodyBytes = 5 * 1024; ///< CIMD-00 §6.6 recommends 5 kilobytes
        qsizetype maxHeaderBytes = 8 * 1024; ///< status line and header fields together
        int timeoutMs = 5000; ///< whole fetch: lookup, connect, TLS, response
        qint64 maxCacheSecs = 24 * 3600;
        qint64 defaultCacheSecs = 300; ///< when the response has no max-age (RFC 9111 §4.2.2 heuristic)
        int maxCacheEntries = 256;
        int maxConcurrentFetches = 8; ///< distinct URLs in flight; identical ones share one fetch
        int maxAddressesTried = 4; ///< resolved addresses tried in turn when a connection is refused
    };

    using Callback = std::function<void(Result<Store::Client, OAuthError>)>;

    explicit CimdFetcher(const Clock &clock, QObject *parent = nullptr);
    CimdFetcher(const Clock &clock, const Limits &limits, QObject *parent = nullptr);
    ~CimdFetcher() override;

    /**
     * @brief Resolves @p clientIdUrl to a client of kind `cimd` (not stored: the caller stores it).
     *
     * @p done is always called later from the event loop (never from inside fetch()), exactly
     * once, unless the fetcher is destroyed first. Concurrent fetches of one URL share a
     * connection. The client has clientId = the URL, token_endpoint_auth_method `none`, no
     * secret, consented = false, no expiry; its verified domain is verifiedHost(clientId).
     */
    void fetch(const QString &clientIdUrl, Callback done);

    /** @brief Forgets every cached document. */
    void clearCache();
    [[nodiscard]] int cacheSize() const { return static_cast<int>(m_cache.size()); }
    [[nodiscard]] const Limits &limits() const { return m_limits; }

    /** @brief Whether a client_id is meant as a metadata document URL (it starts with https://). */
    [[nodiscard]] static bool isClientIdUrl(const QString &clientId);
    /** @brief The host the document was fetched from: what the consent UI shows (CIMD-00 §6.4). */
    [[nodiscard]] static QString verifiedHost(const QString &clientId);

    /**
     * @brief CIMD-00 §3 client identifier rules, plus: canonical form only (what QUrl would
     * rewrite, e.g. `https://0x7f000001/x` or an upper-case host, is refused), no trailing dot
     * in the host, at most @p maxChars characters, printable ASCII only.
     */
    [[nodiscard]] static Result<QUrl, OAuthError> parseClientIdUrl(const QString &clientId, int maxChars = 2048);

    /** @brief Whether an address must never be fetched from (see the list above). */
    [[nodiscard]] static bool isForbiddenAddress(const QHostAddress &address);

    /** @brief Validates a fetched document for @p clientId (see above); errors are invalid_client. */
    [[nodiscard]] static Result<Store::Client, OAuthError> validateDocument(
        const QString &clientId, QByteArrayView body, qint64 nowSecs, const Limits &limits);

    /** @brief Seconds to cache a response with this Cache-Control value; 0 = do not cache. */
    [[nodiscard]] static qint64 cacheLifetimeSecs(QByteArrayView cacheControl, const Limits &limits);

    /**
     * @brief TEST ONLY — the product never calls this.
     *
     * Lets the fetcher reach exactly one loopback @p host : @p port (a local TLS test server)
     * and trust @p caCertificates in addition to the system store. Every other loopback or
     * private address stays forbidden, and while an allowance is set no connection goes
     * anywhere but that endpoint (a fence, so a broken vetting rule in a test can never send
     * traffic to another address).
     */
    void setTestAllowance(const QString &host, quint16 port, const QList<QSslCertificate> &caCertificates);

private:
    friend class CimdFetch;
    struct CacheEntry
    {
        Store::Client client;
        qint64 expiresAtMs = 0;
    };

    void finished(const QString &url, const Result<Store::Client, OAuthError> &result, qint64 cacheSecs);
    void deliverLater(Callback done, Result<Store::Client, OAuthError> result);

    const Clock &m_clock;
    Limits m_limits;
    QHash<QString, CacheEntry> m_cache;
    QHash<QString, CimdFetch *> m_inflight;
    QHash<QString, QList<Callback>> m_waiters;
    QString m_testHost;
    quint16 m_testPort = 0;
    QList<QSslCertificate> m_testCaCertificates;
};

} // namespace Tessera::OAuth
