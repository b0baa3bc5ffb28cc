// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A raw HTTP/1.1 client for the http tests: sends exact bytes (malformed ones included) over a real
// loopback socket and parses what comes back. The server runs in the same thread, so every wait
// spins the event loop.

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace Tessera::Test {

struct HttpReply
{
    int status = 0;
    QByteArray statusLine;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    [[nodiscard]] QByteArray header(QByteArrayView name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
    [[nodiscard]] bool hasHeader(QByteArrayView name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    [[nodiscard]] bool hasHeaderPrefix(QByteArrayView prefix) const
    {
        for (const auto &h : headers) {
            if (h.first.toLower().startsWith(prefix.toByteArray().toLower()))
                return true;
        }
        return false;
    }
};

class RawClient
{
public:
    bool connectTo(
        quint16 port, const QHostAddress &address = QHostAddress(QHostAddress::LocalHost), int timeoutMs = 3000)
    {
        m_socket.connectToHost(address, port);
        QElapsedTimer timer;
        timer.start();
        while (m_socket.state() != QAbstractSocket::ConnectedState
            && m_socket.state() != QAbstractSocket::UnconnectedState && timer.elapsed() < timeoutMs)
            waitForSignal(timeoutMs - int(timer.elapsed()));
        return m_socket.state() == QAbstractSocket::ConnectedState;
    }

    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }

    /** Reads one complete response (1xx interim responses are returned too); @p head: it answers a HEAD. */
    std::optional<HttpReply> readReply(int timeoutMs = 3000, bool head = false)
    {
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            pull();
            if (auto reply = tryParse(head))
                return reply;
            if (m_closed || timer.elapsed() > timeoutMs)
                return std::nullopt;
            waitForSignal(timeoutMs - int(timer.elapsed()));
        }
    }

    /** Sends one request and reads its final response. */
    std::optional<HttpReply> exchange(const QByteArray &bytes, int timeoutMs = 3000, bool head = false)
    {
        send(bytes);
        return readReply(timeoutMs, head);
    }

    /** True once the server has closed the connection (EOF or reset). */
    bool waitClosed(int timeoutMs = 3000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() <= timeoutMs) {
            pull();
            if (m_closed)
                return true;
            waitForSignal(timeoutMs - int(timer.elapsed()));
        }
        return false;
    }

    [[nodiscard]] bool isClosed()
    {
        pull();
        return m_closed;
    }
    [[nodiscard]] QByteArray pending() const { return m_buffer; }
    QTcpSocket &socket() { return m_socket; }

private:
    // Spins the event loop (the server lives on it) until this socket reports something.
    void waitForSignal(int timeoutMs)
    {
        if (timeoutMs <= 0)
            return;
        QEventLoop loop;
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, &QEventLoop::quit);
        QObject::connect(&m_socket, &QTcpSocket::connected, &loop, &QEventLoop::quit);
        QObject::connect(&m_socket, &QTcpSocket::stateChanged, &loop, &QEventLoop::quit);
        QObject::connect(&m_socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
        if (m_socket.bytesAvailable() > 0)
            return;
        loop.exec();
    }

    void pull()
    {
        m_buffer += m_socket.readAll();
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            m_closed = true;
    }

    std::optional<HttpReply> tryParse(bool head)
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return std::nullopt;
        HttpReply reply;
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        reply.statusLine = lines.front().trimmed();
        const QList<QByteArray> parts = reply.statusLine.split(' ');
        reply.status = parts.size() > 1 ? parts[1].toInt() : -1;
        qint64 length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            reply.headers.append({ line.left(colon), line.mid(colon + 1).trimmed() });
            if (line.left(colon).compare("content-length", Qt::CaseInsensitive) == 0)
                length = line.mid(colon + 1).trimmed().toLongLong();
        }
        if (reply.status < 200 || head)
            length = 0;
        if (m_buffer.size() - end - 4 < length)
            return std::nullopt;
        reply.body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        return reply;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    bool m_closed = false;
};

/**
 * security-cases B2: @p count connections to 127.0.0.1:@p port that send @p requestStart and then
 * one more header byte every @p intervalMs, never finishing the head (slowloris). Connected in
 * batches, so the kernel's accept queue does not overflow and replay SYNs seconds later.
 */
class DribblingConnections
{
public:
    DribblingConnections(quint16 port, int count, const QByteArray &requestStart, int intervalMs = 40)
    {
        for (int i = 0; i < count; ++i) {
            auto s = std::make_unique<QTcpSocket>();
            s->connectToHost(QHostAddress::LocalHost, port);
            m_sockets.push_back(std::move(s));
            if (i % 25 == 24)
                QTest::qWait(5);
        }
        QObject::connect(&m_timer, &QTimer::timeout, [this, requestStart] {
            for (auto &s : m_sockets) {
                if (s->state() == QAbstractSocket::ConnectedState)
                    s->write(s->property("started").toBool() ? QByteArray("a") : requestStart);
                s->setProperty("started", true);
            }
        });
        m_timer.start(intervalMs);
    }
    /** True once the server has closed every one of them. */
    [[nodiscard]] bool allClosed() const
    {
        return std::all_of(m_sockets.cbegin(), m_sockets.cend(),
            [](const auto &s) { return s->state() == QAbstractSocket::UnconnectedState; });
    }
    void stop() { m_timer.stop(); }

private:
    std::vector<std::unique_ptr<QTcpSocket>> m_sockets;
    QTimer m_timer;
};

/** A GET with the Host header the server accepts (plus @p extra header lines, each ending in CRLF). */
inline QByteArray getRequest(const QByteArray &path, quint16 port, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n" + extra + "\r\n";
}

inline QByteArray postRequest(const QByteArray &path, quint16 port, const QByteArray &contentType,
    const QByteArray &body, const QByteArray &extra = {})
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\nContent-Type: "
        + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body;
}

/** Resident set size of this process in KiB (/proc/self/status VmRSS). */
inline qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').front().toLongLong();
    }
    return -1;
}

/** LISTEN sockets on @p port in /proc/net/tcp or tcp6: the local address column of each. */
inline QList<QByteArray> listeningAddresses(const QString &table, quint16 port)
{
    QFile file(table);
    QList<QByteArray> out;
    if (!file.open(QIODevice::ReadOnly))
        return out;
    const QByteArray portHex = QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cols = lines[i].simplified().split(' ');
        if (cols.size() < 4 || cols[3] != "0A")
            continue;
        const QList<QByteArray> local = cols[1].split(':');
        if (local.size() == 2 && local[1] == portHex)
            out.append(local[0]);
    }
    return out;
}

} // namespace Tessera::Test
