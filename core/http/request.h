// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/formdata.h"
#include "common/result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace Tessera::Http {

/**
 * @brief Header fields as received: names keep their spelling, lookups ignore ASCII case
 * (RFC 9110 §5.1), repeated fields stay separate so callers can reject duplicates.
 * Values have surrounding whitespace removed and contain no CR, LF, NUL or other control bytes.
 */
class Headers
{
public:
    using Field = QPair<QByteArray, QByteArray>;

    void append(QByteArray name, QByteArray value);
    [[nodiscard]] int count(QByteArrayView name) const;
    [[nodiscard]] bool contains(QByteArrayView name) const { return count(name) > 0; }
    /** @brief The first value, or an empty array if absent. Use single() where a repeat is an error. */
    [[nodiscard]] QByteArray value(QByteArrayView name) const;
    [[nodiscard]] QList<QByteArray> values(QByteArrayView name) const;
    /** @brief The value of a field that must appear exactly once: "header_missing" or "header_repeated" otherwise. */
    [[nodiscard]] Result<QByteArray> single(QByteArrayView name) const;
    [[nodiscard]] const QList<Field> &fields() const { return m_fields; }
    [[nodiscard]] qsizetype size() const { return m_fields.size(); }

private:
    QList<Field> m_fields;
};

/**
 * @brief Who is on the other end of the TCP connection.
 *
 * uid and inode come from /proc/net/tcp{,6} at accept time (security-cases A7): the owner of the
 * client's socket, i.e. the process that created it. See core/http/README.md for the limits.
 */
struct Peer
{
    QHostAddress address;
    quint16 port = 0;
    qint64 uid = -1;
    quint64 inode = 0; ///< socket inode of the client end; /proc/<pid>/fd links to socket:[inode]
};

/** @brief One HTTP request, independent of Qt's HTTP server types. Everything is exactly as received. */
struct Request
{
    QByteArray method; ///< case-sensitive token (RFC 9110 §9.1)
    QByteArray target; ///< the raw request-target, origin-form
    QByteArray path; ///< the target up to `?`, not decoded and not normalised
    QByteArray query; ///< the target after `?`, not decoded
    bool hasQuery = false; ///< a `?` was present, even if the query is empty
    int minorVersion = 1; ///< HTTP/1.x
    Headers headers;
    QByteArray body; ///< exactly Content-Length bytes
    Peer peer;
    quint64 connectionId = 0;
    quint64 sequence = 0; ///< 1 for the first request on the connection

    /** @brief The query parsed with parseForm() (duplicates rejected). */
    [[nodiscard]] Result<FormData> queryForm(int maxParams = 64) const;
    /** @brief The body parsed with parseForm(); does not check Content-Type (use RouteOptions::requiredContentType). */
    [[nodiscard]] Result<FormData> bodyForm(int maxParams = 64) const;
    /** @brief Content-Type without parameters, lower-cased (e.g. "application/json"); empty if absent. */
    [[nodiscard]] QByteArray mediaType() const;
};

/** @brief `type/subtype` of a Content-Type value, lower-cased, or empty if it is not a valid media type. */
[[nodiscard]] QByteArray mediaTypeOf(QByteArrayView contentType);

} // namespace Tessera::Http
