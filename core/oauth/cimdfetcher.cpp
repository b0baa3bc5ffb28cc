// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/cimdfetcher.h"

#include "common/clock.h"
#include "common/logging.h"
#include "common/strictjson.h"
#include "oauth/clientregistration.h"

#include <QHostInfo>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

#include <algorithm>
#include <cstring>

namespace Tessera::OAuth {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int MaxChunkSizeLine = 64;
constexpr int JsonMaxDepth = 8;

OAuthError fetchError(const QString &description, const QString &debug = {})
{
    return OAuthError::invalidClient(description).withDebug(debug);
}

bool isPrintableAscii(QStringView s)
{
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.unicode() >= 0x21 && c.unicode() <= 0x7e; });
}

struct Ipv4Range
{
    quint32 network;
    int prefix;
};

bool inRange(quint32 address, const Ipv4Range &range)
{
    const quint32 mask = range.prefix == 0 ? 0 : ~quint32(0) << (32 - range.prefix);
    return (address & mask) == (range.network & mask);
}

bool isForbiddenIpv4(quint32 a)
{
    // IANA IPv4 Special-Purpose Address Registry (RFC 6890 and successors): everything that is
    // not globally reachable unicast.
    static constexpr Ipv4Range ranges[] = {
        { 0x00000000, 8 }, // 0.0.0.0/8 "this network" (0.0.0.0 reaches loopback on Linux)
        { 0x0A000000, 8 }, // 10.0.0.0/8 private (RFC 1918)
        { 0x64400000, 10 }, // 100.64.0.0/10 carrier-grade NAT (RFC 6598)
        { 0x7F000000, 8 }, // 127.0.0.0/8 loopback
        { 0xA9FE0000, 16 }, // 169.254.0.0/16 link-local, cloud metadata services
        { 0xAC100000, 12 }, // 172.16.0.0/12 private (RFC 1918)
        { 0xC0000000, 24 }, // 192.0.0.0/24 IETF protocol assignments
        { 0xC0000200, 24 }, // 192.0.2.0/24 documentation (TEST-NET-1)
        { 0xC0586300, 24 }, // 192.88.99.0/24 6to4 relay anycast (deprecated)
        { 0xC0A80000, 16 }, // 192.168.0.0/16 private (RFC 1918)
        { 0xC6120000, 15 }, // 198.18.0.0/15 benchmarking
        { 0xC6336400, 24 }, // 198.51.100.0/24 documentation (TEST-NET-2)
        { 0xCB007100, 24 }, // 203.0.113.0/24 documentation (TEST-NET-3)
        { 0xE0000000, 4 }, // 224.0.0.0/4 multicast
        { 0xF0000000, 4 }, // 240.0.0.0/4 reserved, including 255.255.255.255 broadcast
    };
    return std::any_of(std::begin(ranges), std::end(ranges), [a](const Ipv4Range &r) { return inRange(a, r); });
}

quint32 embeddedIpv4(const Q_IPV6ADDR &b, int offset)
{
    return (quint32(b[offset]) << 24) | (quint32(b[offset + 1]) << 16) | (quint32(b[offset + 2]) << 8)
        | quint32(b[offset + 3]);
}

bool isForbiddenIpv6(const Q_IPV6ADDR &b)
{
    const auto zeros = [&b](int from, int to) {
        for (int i = from; i < to; ++i) {
            if (b[i] != 0)
                return false;
        }
        return true;
    };
    // ::/96: unspecified, loopback and the deprecated IPv4-compatible addresses.
    if (zeros(0, 12))
        return true;
    // ::ffff:0:0/96 IPv4-mapped: judged by the IPv4 address inside.
    if (zeros(0, 10) && b[10] == 0xff && b[11] == 0xff)
        return isForbiddenIpv4(embeddedIpv4(b, 12));
    // 64:ff9b::/96 NAT64 well-known prefix (RFC 6052): judged by the IPv4 address inside.
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zeros(4, 12))
        return isForbiddenIpv4(embeddedIpv4(b, 12));
    // 2002::/16 6to4 (RFC 3056): judged by the IPv4 address inside.
    if (b[0] == 0x20 && b[1] == 0x02)
        return isForbiddenIpv4(embeddedIpv4(b, 2));
    // Only 2000::/3 is global unicast; everything else (ULA fc00::/7, link-local fe80::/10,
    // site-local fec0::/10, multicast ff00::/8, discard 100::/64, 64:ff9b:1::/48, ...) is refused.
    if ((b[0] & 0xe0) != 0x20)
        return true;
    // 2001::/23 IETF protocol assignments (Teredo 2001::/32 hides an IPv4 address, ORCHID, ...).
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] <= 0x01)
        return true;
    // 2001:db8::/32 and 3fff::/20 documentation (RFC 3849, RFC 9637).
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        return true;
    if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0x00)
        return true;
    return false;
}

bool isJsonContentType(const QByteArray &value)
{
    // CIMD-00 §4.1: application/json, or a more specific application/<something>+json.
    const QByteArray type = value.split(';').constFirst().trimmed().toLower();
    if (type == "application/json")
        return true;
    return type.startsWith("application/") && type.endsWith("+json")
        && type.size() > int(sizeof("application/+json") - 1);
}

bool isDigits(const QByteArray &s)
{
    return !s.isEmpty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isTokenChar(char c)
{
    // RFC 9110 §5.6.2 tchar
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

} // namespace

// One fetch of one URL: lookup, vetting, TLS connection, HTTP/1.1 exchange, validation.
class CimdFetch : public QObject
{
public:
    CimdFetch(CimdFetcher *owner, QString clientId, QUrl url)
        : QObject(owner), m_owner(owner), m_clientId(std::move(clientId)), m_url(std::move(url))
    {
        m_host = m_url.host();
        m_port = static_cast<quint16>(m_url.port(443));
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            fail(fetchError(
                u"The client metadata document did not arrive within %1 seconds."_s.arg(limits().timeoutMs / 1000.0),
                u"timeout"_s));
        });
    }

    ~CimdFetch() override
    {
        if (m_lookupId >= 0)
            QHostInfo::abortHostLookup(m_lookupId);
    }

    void start()
    {
        m_timer.start(limits().timeoutMs);
        const QHostAddress literal(m_host);
        if (!literal.isNull()) {
            vetAndConnect({ literal });
            return;
        }
        m_lookupId = QHostInfo::lookupHost(m_host, this, [this](const QHostInfo &info) {
            m_lookupId = -1;
            if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
                fail(fetchError(u"The host of the client_id URL could not be resolved."_s, info.errorString()));
                return;
            }
            vetAndConnect(info.addresses());
        });
    }

private:
    enum class Phase
    {
        Connecting,
        Head,
        Body,
        Done,
    };
    enum class Framing
    {
        Length,
        Chunked,
        Close,
    };
    enum class ChunkState
    {
        Size,
        Data,
        DataEnd,
        Finished,
    };

    const CimdFetcher::Limits &limits() const { return m_owner->m_limits; }

    bool isTestAllowed(const QHostAddress &address) const
    {
        // Test allowance: one loopback host:port, nothing else (see setTestAllowance()).
        return !m_owner->m_testHost.isEmpty() && m_host == m_owner->m_testHost && m_port == m_owner->m_testPort
            && address.isLoopback();
    }

    void vetAndConnect(const QList<QHostAddress> &addresses)
    {
        // Every address must pass, not just the one we would use: DNS answers can be mixed
        // and a later connection attempt could land on any of them.
        for (const QHostAddress &address : addresses) {
            if (CimdFetcher::isForbiddenAddress(address) && !isTestAllowed(address)) {
                fail(fetchError(
                    u"The client_id URL points to a local, private or reserved network address, which Tessera does not fetch from."_s,
                    u"forbidden address %1"_s.arg(address.toString())));
                return;
            }
        }
        m_addresses = addresses.mid(0, limits().maxAddressesTried);
        connectNext();
    }

    void connectNext()
    {
        if (m_addresses.isEmpty()) {
            fail(fetchError(u"The host of the client_id URL could not be reached."_s, m_lastError));
            return;
        }
        const QHostAddress address = m_addresses.takeFirst();
        // With the test allowance set, nothing but the one allowed loopback endpoint is ever
        // connected to, even if vetting above were wrong: tests cannot send traffic elsewhere.
        if (!m_owner->m_testHost.isEmpty() && !isTestAllowed(address)) {
            fail(fetchError(u"The client_id URL is outside the test allowance."_s, u"test fence"_s));
            return;
        }
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
            m_socket->deleteLater();
        }
        m_socket = new QSslSocket(this);
        m_socket->setProxy(QNetworkProxy::NoProxy); // the vetted address, not a proxy, is what we connect to
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setProtocol(QSsl::TlsV1_2OrLater);
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!m_owner->m_testCaCertificates.isEmpty())
            config.addCaCertificates(m_owner->m_testCaCertificates);
        m_socket->setSslConfiguration(config);
        m_socket->setReadBufferSize(16 * 1024);

        connect(m_socket, &QSslSocket::encrypted, this, [this] { sendRequest(); });
        connect(m_socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QStringList texts;
            for (const QSslError &e : errors)
                texts.append(e.errorString());
            m_sslErrors = texts.join(u"; "_s);
        });
        connect(m_socket, &QSslSocket::readyRead, this, [this] { onReadyRead(); });
        connect(m_socket, &QSslSocket::disconnected, this, [this] { onClosed(); });
        connect(m_socket, &QSslSocket::errorOccurred, this,
            [this](QAbstractSocket::SocketError error) { onSocketError(error); });
        m_phase = Phase::Connecting;
        // Pinning: connect to the vetted IP itself (no second DNS lookup that a rebinding DNS
        // server could answer differently); SNI and certificate verification use the host name.
        m_socket->connectToHostEncrypted(address.toString(), m_port, m_host);
    }

    void sendRequest()
    {
        m_phase = Phase::Head;
        QByteArray target = m_url.path(QUrl::FullyEncoded).toLatin1();
        if (m_url.hasQuery())
            target += '?' + m_url.query(QUrl::FullyEncoded).toLatin1();
        QByteArray host = QUrl::toAce(m_host);
        if (QHostAddress(m_host).protocol() == QAbstractSocket::IPv6Protocol)
            host = '[' + m_host.toLatin1() + ']';
        if (m_port != 443)
            host += ':' + QByteArray::number(m_port);
        // Minimal request: no cookies, no credentials, no compression (the size cap must hold
        // for the bytes we parse), one request per connection.
        const QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: " + host
            + "\r\nAccept: application/json\r\nAccept-Encoding: identity\r\nUser-Agent: Tessera-CIMD/1\r\n"
              "Connection: close\r\n\r\n";
        m_socket->write(request);
    }

    void onSocketError(QAbstractSocket::SocketError error)
    {
        if (m_phase == Phase::Done)
            return;
        if (error == QAbstractSocket::RemoteHostClosedError && (m_phase == Phase::Head || m_phase == Phase::Body)) {
            onClosed();
            return;
        }
        m_lastError = m_socket->errorString();
        if (m_phase == Phase::Connecting && !m_socket->isEncrypted()) {
            const bool tlsFailure = error == QAbstractSocket::SslHandshakeFailedError
                || error == QAbstractSocket::SslInternalError || error == QAbstractSocket::SslInvalidUserDataError
                || !m_sslErrors.isEmpty();
            if (tlsFailure) {
                fail(fetchError(u"The TLS certificate of %1 could not be verified."_s.arg(m_host),
                    m_sslErrors.isEmpty() ? m_lastError : m_sslErrors));
                return;
            }
            // Refused or unreachable: try the next vetted address.
            QTimer::singleShot(0, this, [this] { connectNext(); });
            return;
        }
        fail(fetchError(u"The connection to %1 failed."_s.arg(m_host), m_lastError));
    }

    void onReadyRead()
    {
        while (m_phase != Phase::Done && m_socket && m_socket->bytesAvailable() > 0) {
            const QByteArray data = m_socket->read(4096);
            if (m_phase == Phase::Head) {
                m_head.append(data);
                const qsizetype end = m_head.indexOf("\r\n\r\n");
                if (end < 0) {
                    if (m_head.size() > limits().maxHeaderBytes)
                        fail(fetchError(u"The response headers from %1 are too large."_s.arg(m_host)));
                    continue;
                }
                if (end + 4 > limits().maxHeaderBytes) {
                    fail(fetchError(u"The response headers from %1 are too large."_s.arg(m_host)));
                    return;
                }
                const QByteArray rest = m_head.mid(end + 4);
                if (!parseHead(m_head.left(end)))
                    return;
                m_head.clear();
                m_phase = Phase::Body;
                consumeBody(rest);
            } else if (m_phase == Phase::Body) {
                consumeBody(data);
            }
        }
    }

    // Returns false after failing.
    bool parseHead(const QByteArray &head)
    {
        // head ends just before the blank line, so every line but the last still ends in CR.
        const QList<QByteArray> lines = head.split('\n');
        QList<QByteArray> clean;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const bool last = i == lines.size() - 1;
            if (lines.at(i).endsWith('\r') == last) {
                fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"bare LF or CR"_s));
                return false;
            }
            clean.append(last ? lines.at(i) : lines.at(i).chopped(1));
        }
        const QByteArray &status = clean.constFirst();
        if (!(status.startsWith("HTTP/1.1 ") || status.startsWith("HTTP/1.0 ")) || status.size() < 12
            || !std::all_of(status.begin() + 9, status.begin() + 12, [](char c) { return c >= '0' && c <= '9'; })
            || (status.size() > 12 && status.at(12) != ' ')) {
            fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"status line"_s));
            return false;
        }
        const int code = status.mid(9, 3).toInt();
        QByteArray contentType;
        QByteArray contentLength;
        QByteArray transferEncoding;
        int contentTypes = 0;
        for (qsizetype i = 1; i < clean.size(); ++i) {
            const QByteArray &line = clean.at(i);
            // RFC 9112 §5.2: obs-fold is obsolete; refusing it avoids a parser differential.
            if (line.isEmpty() || line.startsWith(' ') || line.startsWith('\t')) {
                fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"obs-fold"_s));
                return false;
            }
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0 || !std::all_of(line.begin(), line.begin() + colon, isTokenChar)) {
                fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"header name"_s));
                return false;
            }
            const QByteArray name = line.left(colon).toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-length") {
                if (!contentLength.isEmpty() && contentLength != value) {
                    fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"two lengths"_s));
                    return false;
                }
                contentLength = value;
            } else if (name == "transfer-encoding") {
                transferEncoding += transferEncoding.isEmpty() ? value : ", " + value;
            } else if (name == "content-type") {
                contentType = value;
                ++contentTypes;
            } else if (name == "cache-control") {
                m_cacheControl += m_cacheControl.isEmpty() ? value : ", " + value;
            }
        }

        if (code >= 300 && code < 400) {
            fail(fetchError(
                u"%1 answered with a redirect; Tessera does not follow redirects for client metadata."_s.arg(m_host),
                u"HTTP %1"_s.arg(code)));
            return false;
        }
        if (code != 200) {
            fail(fetchError(u"%1 answered HTTP %2 instead of the client metadata document."_s.arg(m_host).arg(code)));
            return false;
        }
        if (contentTypes != 1 || !isJsonContentType(contentType)) {
            fail(fetchError(u"The client metadata document from %1 is not served as JSON."_s.arg(m_host),
                QString::fromLatin1(contentType.left(100))));
            return false;
        }
        // RFC 9112 §6.3: Transfer-Encoding together with Content-Length is a smuggling signal.
        if (!transferEncoding.isEmpty()) {
            if (!contentLength.isEmpty() || transferEncoding.toLower() != "chunked") {
                fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"transfer-encoding"_s));
                return false;
            }
            m_framing = Framing::Chunked;
        } else if (!contentLength.isEmpty()) {
            bool ok = false;
            const qint64 length = contentLength.toLongLong(&ok);
            if (!ok || length < 0 || !isDigits(contentLength)) {
                fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"content-length"_s));
                return false;
            }
            // CIMD-00 §6.6: refuse an oversized document before reading any of it.
            if (length > limits().maxBodyBytes) {
                fail(tooLarge());
                return false;
            }
            m_framing = Framing::Length;
            m_contentLength = length;
        } else {
            m_framing = Framing::Close;
        }
        return true;
    }

    OAuthError tooLarge() const
    {
        return fetchError(
            u"The client metadata document from %1 is larger than %2 bytes."_s.arg(m_host).arg(limits().maxBodyBytes));
    }

    void consumeBody(const QByteArray &data)
    {
        if (m_phase != Phase::Body)
            return;
        switch (m_framing) {
        case Framing::Length:
            m_body.append(data.left(m_contentLength - m_body.size()));
            if (m_body.size() >= m_contentLength)
                complete();
            return;
        case Framing::Close:
            m_body.append(data);
            if (m_body.size() > limits().maxBodyBytes)
                fail(tooLarge());
            return;
        case Framing::Chunked:
            m_raw.append(data);
            decodeChunks();
            return;
        }
    }

    // RFC 9112 §7.1 chunked transfer coding; extensions ignored, trailers not read.
    void decodeChunks()
    {
        while (m_phase == Phase::Body) {
            if (m_chunkState == ChunkState::Size) {
                const qsizetype eol = m_raw.indexOf("\r\n");
                if (eol < 0) {
                    if (m_raw.size() > MaxChunkSizeLine)
                        fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"chunk size"_s));
                    return;
                }
                const QByteArray sizeText = m_raw.left(eol).split(';').constFirst().trimmed();
                bool ok = false;
                const qint64 size = sizeText.toLongLong(&ok, 16);
                if (!ok || size < 0 || sizeText.isEmpty() || sizeText.size() > 8) {
                    fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"chunk size"_s));
                    return;
                }
                m_raw.remove(0, eol + 2);
                if (size == 0) {
                    m_chunkState = ChunkState::Finished;
                    complete();
                    return;
                }
                if (m_body.size() + size > limits().maxBodyBytes) {
                    fail(tooLarge());
                    return;
                }
                m_chunkRemaining = size;
                m_chunkState = ChunkState::Data;
            } else if (m_chunkState == ChunkState::Data) {
                if (m_raw.isEmpty())
                    return;
                const qsizetype take = std::min<qsizetype>(m_chunkRemaining, m_raw.size());
                m_body.append(m_raw.left(take));
                m_raw.remove(0, take);
                m_chunkRemaining -= take;
                if (m_chunkRemaining == 0)
                    m_chunkState = ChunkState::DataEnd;
            } else if (m_chunkState == ChunkState::DataEnd) {
                if (m_raw.size() < 2)
                    return;
                if (!m_raw.startsWith("\r\n")) {
                    fail(fetchError(u"The response from %1 is not valid HTTP/1.1."_s.arg(m_host), u"chunk end"_s));
                    return;
                }
                m_raw.remove(0, 2);
                m_chunkState = ChunkState::Size;
            } else {
                return;
            }
        }
    }

    void onClosed()
    {
        if (m_phase == Phase::Done)
            return;
        if (m_phase == Phase::Body && m_framing == Framing::Close) {
            complete();
            return;
        }
        if (m_phase == Phase::Connecting)
            return; // errorOccurred decides between the next address and failure
        fail(fetchError(u"%1 closed the connection before the client metadata document was complete."_s.arg(m_host)));
    }

    void complete()
    {
        if (m_phase == Phase::Done)
            return;
        auto client = CimdFetcher::validateDocument(m_clientId, m_body, m_owner->m_clock.nowSecs(), limits());
        const qint64 cacheSecs = client ? CimdFetcher::cacheLifetimeSecs(m_cacheControl, limits()) : 0;
        finish(client, cacheSecs);
    }

    void fail(const OAuthError &error) { finish(error, 0); }

    void finish(const Result<Store::Client, OAuthError> &result, qint64 cacheSecs)
    {
        if (m_phase == Phase::Done)
            return;
        m_phase = Phase::Done;
        m_timer.stop();
        if (m_lookupId >= 0) {
            QHostInfo::abortHostLookup(m_lookupId);
            m_lookupId = -1;
        }
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
        if (!result)
            qCInfo(lcOAuth, "client metadata fetch for %s failed: %s", qUtf8Printable(redactUrl(m_url)),
                qUtf8Printable(result.error().debug.isEmpty() ? result.error().description : result.error().debug));
        // The owner delivers the result and deletes this object later.
        m_owner->finished(m_clientId, result, cacheSecs);
    }

    CimdFetcher *m_owner;
    QString m_clientId;
    QUrl m_url;
    QString m_host;
    quint16 m_port = 443;
    QTimer m_timer;
    int m_lookupId = -1;
    QList<QHostAddress> m_addresses;
    QSslSocket *m_socket = nullptr;
    Phase m_phase = Phase::Connecting;
    Framing m_framing = Framing::Close;
    ChunkState m_chunkState = ChunkState::Size;
    qint64 m_contentLength = 0;
    qint64 m_chunkRemaining = 0;
    QByteArray m_head;
    QByteArray m_raw;
    QByteArray m_body;
    QByteArray m_cacheControl;
    QString m_sslErrors;
    QString m_lastError;
};

CimdFetcher::CimdFetcher(const Clock &clock, QObject *parent) : CimdFetcher(clock, Limits {}, parent) { }

CimdFetcher::CimdFetcher(const Clock &clock, const Limits &limits, QObject *parent)
    : QObject(parent), m_clock(clock), m_limits(limits)
{ }

CimdFetcher::~CimdFetcher()
{
    // Pending callbacks are dropped (documented on fetch()); jobs go before the containers do.
    const QList<CimdFetch *> jobs = m_inflight.values();
    m_inflight.clear();
    qDeleteAll(jobs);
}

bool CimdFetcher::isClientIdUrl(const QString &clientId)
{
    return clientId.startsWith(u"https://"_s, Qt::CaseInsensitive);
}

QString CimdFetcher::verifiedHost(const QString &clientId)
{
    return QUrl::fromEncoded(clientId.toLatin1(), QUrl::StrictMode).host();
}

Result<QUrl, OAuthError> CimdFetcher::parseClientIdUrl(const QString &clientId, int maxChars)
{
    const auto bad = [](const QString &why) { return fetchError(u"The client_id URL "_s + why); };
    if (clientId.isEmpty() || clientId.size() > maxChars)
        return bad(u"is empty or longer than %1 characters."_s.arg(maxChars));
    if (!isPrintableAscii(clientId) || clientId.contains(u'\\'))
        return bad(u"contains spaces, control characters, backslashes or non-ASCII characters."_s);
    const QUrl url = QUrl::fromEncoded(clientId.toLatin1(), QUrl::StrictMode);
    // CIMD-00 §3: "MUST have an https scheme, MUST contain a path component, MUST NOT contain
    // single-dot or double-dot path segments, MUST NOT contain a fragment component and MUST
    // NOT contain a username or password".
    if (!url.isValid() || url.isRelative() || url.scheme() != u"https"_s || url.host().isEmpty())
        return bad(u"must be an absolute https URL."_s);
    if (url.hasFragment())
        return bad(u"must not contain a fragment."_s);
    if (!url.userInfo().isEmpty() || url.authority().contains(u'@'))
        return bad(u"must not contain a user name or password."_s);
    // One spelling only: a URL QUrl would rewrite (numeric, octal or hex IPv4, upper case,
    // needless escapes) could never equal the document's client_id byte for byte anyway.
    if (url.toString(QUrl::FullyEncoded) != clientId)
        return bad(u"is not in canonical form."_s);
    if (url.host().endsWith(u'.'))
        return bad(u"must not end its host name with a dot."_s);
    const QString path = url.path(QUrl::FullyEncoded);
    if (path.isEmpty() || path == u"/"_s)
        return bad(u"must have a path other than \"/\"."_s);
    for (const QString &segment : path.split(u'/')) {
        const QString lower = segment.toLower();
        if (lower == u"."_s || lower == u".."_s || lower == u"%2e"_s || lower == u"%2e%2e"_s || lower == u".%2e"_s
            || lower == u"%2e."_s)
            return bad(u"must not contain dot segments."_s);
    }
    return url;
}

bool CimdFetcher::isForbiddenAddress(const QHostAddress &address)
{
    if (address.isNull())
        return true;
    if (address.protocol() == QAbstractSocket::IPv4Protocol)
        return isForbiddenIpv4(address.toIPv4Address());
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return isForbiddenIpv6(address.toIPv6Address());
    return true;
}

Result<Store::Client, OAuthError> CimdFetcher::validateDocument(
    const QString &clientId, QByteArrayView body, qint64 nowSecs, const Limits &limits)
{
    StrictJsonLimits jsonLimits;
    jsonLimits.maxBytes = limits.maxBodyBytes;
    jsonLimits.maxDepth = JsonMaxDepth;
    const auto parsed = parseStrictJson(body, jsonLimits);
    if (!parsed)
        return fetchError(u"The client metadata document is not valid JSON."_s, parsed.error().toString());
    if (!parsed->isObject())
        return fetchError(u"The client metadata document must be a JSON object."_s);
    const QJsonObject document = parsed->toObject();
    // CIMD-00 §4.1: "client_id property whose value MUST match the URL of the document using
    // simple string comparison" (AS-07): no normalisation, a trailing slash or case change differs.
    const QJsonValue documentId = document.value(u"client_id"_s);
    if (!documentId.isString() || documentId.toString() != clientId)
        return fetchError(u"The client metadata document's client_id does not match its URL."_s);
    const auto metadata = validateClientMetadata(document, MetadataSource::MetadataDocument);
    if (!metadata)
        return fetchError(u"The client metadata document is not acceptable: "_s + metadata.error().description,
            metadata.error().error);

    Store::Client client;
    client.clientId = clientId;
    client.kind = Store::ClientKind::Cimd;
    client.clientName = metadata->clientName;
    client.metadata = metadata->metadata;
    client.redirectUris = metadata->redirectUris;
    client.tokenEndpointAuthMethod = metadata->tokenEndpointAuthMethod;
    client.createdAt = nowSecs;
    client.consented = false;
    return client;
}

qint64 CimdFetcher::cacheLifetimeSecs(QByteArrayView cacheControl, const Limits &limits)
{
    std::optional<qint64> maxAge;
    for (const QByteArray &part : cacheControl.toByteArray().split(',')) {
        const QByteArray directive = part.trimmed().toLower();
        // RFC 9111 §5.2.2.5 no-store, §5.2.2.4 no-cache: a cache without revalidation must not reuse it.
        if (directive == "no-store" || directive == "no-cache" || directive.startsWith("no-cache="))
            return 0;
        if (directive.startsWith("max-age=")) {
            QByteArray value = directive.mid(8);
            if (value.startsWith('"') && value.endsWith('"') && value.size() >= 2)
                value = value.mid(1, value.size() - 2);
            bool ok = false;
            const qint64 secs = value.toLongLong(&ok);
            if (!ok || secs < 0 || !isDigits(value))
                return 0; // an invalid max-age makes the response stale (RFC 9111 §4.2.1)
            maxAge = maxAge ? std::min(*maxAge, secs) : secs;
        }
    }
    const qint64 secs = maxAge.value_or(limits.defaultCacheSecs);
    return std::clamp<qint64>(secs, 0, limits.maxCacheSecs);
}

void CimdFetcher::setTestAllowance(const QString &host, quint16 port, const QList<QSslCertificate> &caCertificates)
{
    m_testHost = host.toLower();
    m_testPort = port;
    m_testCaCertificates = caCertificates;
}

void CimdFetcher::clearCache()
{
    m_cache.clear();
}

void CimdFetcher::deliverLater(Callback done, Result<Store::Client, OAuthError> result)
{
    QMetaObject::invokeMethod(
        this, [done = std::move(done), result = std::move(result)]() { done(result); }, Qt::QueuedConnection);
}

void CimdFetcher::fetch(const QString &clientIdUrl, Callback done)
{
    if (auto it = m_cache.constFind(clientIdUrl); it != m_cache.constEnd()) {
        if (m_clock.nowMs() < it->expiresAtMs) {
            deliverLater(std::move(done), it->client);
            return;
        }
        m_cache.remove(clientIdUrl);
    }
    if (m_inflight.contains(clientIdUrl)) {
        m_waiters[clientIdUrl].append(std::move(done));
        return;
    }
    auto url = parseClientIdUrl(clientIdUrl, m_limits.maxUrlChars);
    if (!url) {
        deliverLater(std::move(done), url.error());
        return;
    }
    if (m_inflight.size() >= m_limits.maxConcurrentFetches) {
        deliverLater(std::move(done),
            OAuthError::temporarilyUnavailable(
                u"Too many client metadata documents are being fetched; try again shortly."_s));
        return;
    }
    auto *job = new CimdFetch(this, clientIdUrl, *url);
    m_inflight.insert(clientIdUrl, job);
    m_waiters[clientIdUrl].append(std::move(done));
    job->start();
}

void CimdFetcher::finished(const QString &url, const Result<Store::Client, OAuthError> &result, qint64 cacheSecs)
{
    if (CimdFetch *job = m_inflight.take(url))
        job->deleteLater();
    // CIMD-00 §4.4: "MUST NOT cache error responses" nor invalid documents.
    if (result && cacheSecs > 0) {
        if (m_cache.size() >= m_limits.maxCacheEntries) {
            auto oldest = std::min_element(m_cache.begin(), m_cache.end(),
                [](const CacheEntry &a, const CacheEntry &b) { return a.expiresAtMs < b.expiresAtMs; });
            if (oldest != m_cache.end())
                m_cache.erase(oldest);
        }
        m_cache.insert(url, CacheEntry { *result, m_clock.nowMs() + cacheSecs * 1000 });
    }
    const QList<Callback> waiters = m_waiters.take(url);
    for (const Callback &done : waiters)
        deliverLater(done, result);
}

} // namespace Tessera::OAuth
