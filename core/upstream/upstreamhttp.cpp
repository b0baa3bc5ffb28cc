// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/upstreamhttp.h"

#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace Tessera::Upstream {

using namespace Qt::Literals::StringLiterals;

bool isLoopbackHost(const QString &host)
{
    QString h = host;
    if (h.startsWith(u'[') && h.endsWith(u']'))
        h = h.mid(1, h.size() - 2);
    if (h.compare("localhost"_L1, Qt::CaseInsensitive) == 0)
        return true;
    QHostAddress address;
    // QHostAddress also parses "127.1" and "0x7f000001"; QUrl has already normalized the host,
    // and only what parses as an address literal and is loopback counts.
    if (!address.setAddress(h))
        return false;
    return address.isLoopback();
}

Status checkTransport(const QUrl &url)
{
    if (!url.isValid() || url.isRelative() || url.host().isEmpty())
        return Error::make(u"upstream_bad_url"_s, u"Not an absolute http(s) URL: %1."_s.arg(url.toDisplayString()));
    if (!url.userInfo().isEmpty())
        return Error::make(
            u"upstream_bad_url"_s, u"URLs with a user name or password are not used: %1."_s.arg(url.host()));
    const QString scheme = url.scheme();
    if (scheme == "https"_L1)
        return {};
    if (scheme == "http"_L1) {
        if (isLoopbackHost(url.host()))
            return {};
        return Error::make(u"upstream_insecure_url"_s,
            u"%1 uses plain http:// to a host that is not loopback; use its https:// address "
            u"(HTTPS is required off 127.0.0.1, ::1 and localhost)."_s.arg(url.toDisplayString(QUrl::RemoveQuery)));
    }
    return Error::make(
        u"upstream_insecure_url"_s, u"Only https:// (or http:// on loopback) can be used, not %1:."_s.arg(scheme));
}

UpstreamHttp::UpstreamHttp(QObject *parent) : UpstreamHttp(HttpLimits {}, parent) { }

UpstreamHttp::UpstreamHttp(const HttpLimits &limits, QObject *parent)
    : QObject(parent), m_limits(limits), m_nam(new QNetworkAccessManager(this))
{
    // No cookies across requests: each OAuth request stands on its own.
    m_nam->setCookieJar(nullptr);
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_nam->setStrictTransportSecurityEnabled(false);
}

UpstreamHttp::~UpstreamHttp() = default;

void UpstreamHttp::deliverLater(Callback done, Result<HttpResponse> result)
{
    QTimer::singleShot(
        0, this, [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

void UpstreamHttp::send(
    const QByteArray &method, const QUrl &url, const Headers &headers, const QByteArray &body, Callback done)
{
    if (Status s = checkTransport(url); !s) {
        deliverLater(std::move(done), s.error());
        return;
    }
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);

    QNetworkReply *reply = m_nam->sendCustomRequest(request, method, body);
    ++m_inFlight;
    auto finishedOnce = std::make_shared<bool>(false);
    auto buffer = std::make_shared<QByteArray>();
    auto timer = new QTimer(reply);
    timer->setSingleShot(true);
    const qsizetype maxBody = m_limits.maxBodyBytes;
    const int timeoutMs = m_limits.timeoutMs;
    const QString host = url.host();

    auto finish = [this, reply, finishedOnce, done](Result<HttpResponse> result) {
        if (*finishedOnce)
            return;
        *finishedOnce = true;
        --m_inFlight;
        reply->disconnect(this);
        if (reply->isRunning())
            reply->abort();
        reply->deleteLater();
        deliverLater(done, std::move(result));
    };

    connect(timer, &QTimer::timeout, this, [finish, host, timeoutMs] {
        finish(Error::make(u"upstream_timeout"_s,
            u"%1 did not answer within %2 s; check that the server is up and reachable."_s.arg(host).arg(
                timeoutMs / 1000.0)));
    });
    timer->start(timeoutMs);

    connect(reply, &QNetworkReply::metaDataChanged, this, [reply, finish, maxBody, host] {
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > maxBody)
            finish(Error::make(u"upstream_too_large"_s,
                u"%1 announced a response of %2 bytes; at most %3 are accepted."_s.arg(host)
                    .arg(length.toLongLong())
                    .arg(maxBody)));
    });
    connect(reply, &QNetworkReply::readyRead, this, [reply, buffer, finish, maxBody, host] {
        *buffer += reply->readAll();
        if (buffer->size() > maxBody)
            finish(Error::make(u"upstream_too_large"_s,
                u"%1 sent a response larger than %2 bytes, the limit."_s.arg(host).arg(maxBody)));
    });
    connect(reply, &QNetworkReply::finished, this, [reply, buffer, finish, maxBody, host] {
        const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!statusAttr.isValid()) {
            // No HTTP answer at all: DNS, connection refused, TLS verification, ...
            finish(Error::make(u"upstream_unreachable"_s,
                u"Could not reach %1 (%2); check the address, the network and the server's certificate."_s.arg(
                    host, reply->errorString())));
            return;
        }
        *buffer += reply->readAll();
        if (buffer->size() > maxBody) {
            finish(Error::make(u"upstream_too_large"_s,
                u"%1 sent a response larger than %2 bytes, the limit."_s.arg(host).arg(maxBody)));
            return;
        }
        HttpResponse response;
        response.status = statusAttr.toInt();
        if (response.status >= 300 && response.status < 400) {
            finish(Error::make(u"upstream_redirect"_s,
                u"%1 answered with a redirect (HTTP %2), which is not followed; configure the final https:// URL."_s
                    .arg(host)
                    .arg(response.status)));
            return;
        }
        QByteArray type = reply->rawHeader("Content-Type");
        if (const qsizetype semi = type.indexOf(';'); semi >= 0)
            type.truncate(semi);
        response.contentType = type.trimmed().toLower();
        for (const auto &[name, value] : reply->rawHeaderPairs()) {
            if (name.compare("WWW-Authenticate", Qt::CaseInsensitive) == 0) {
                // Qt joins repeated fields with ", " for most headers but with "\n" for
                // WWW-Authenticate; a list of challenges is valid either way (RFC 9110 §5.3).
                for (const QByteArray &line : value.split('\n'))
                    response.wwwAuthenticate.append(line);
            }
        }
        response.body = std::move(*buffer);
        finish(std::move(response));
    });
}

} // namespace Tessera::Upstream
