// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 9, classes R3, R4 and R8: who listens on a loopback redirect port (or serves a loopback
// CORS origin) decides what Tessera sends there, found off the event loop within a budget.
//   R3  another OS user's listener gets no code, no CORS answer, no prompt; checked again when
//       the answer is sent
//   R4  a covering grant answers silently only to the executable that received the code when
//       the person approved; otherwise the prompt says what changed
//   R8  the lookup never blocks the event loop; past its budget the person is asked
// Real processes listen: this test, python3, a copy of python3, and python3 as another user
// (that needs root to create the user, like tst_peeridentity; skipped otherwise).
#include "asfixture.h"

#include "crypto/random.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QSemaphore>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <atomic>
#include <pwd.h>
#include <unistd.h>

using namespace Tessera;
using namespace Tessera::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr char PeerUser[] = "tessera-test-peer";

QString selfExe()
{
    return QFileInfo(u"/proc/self/exe"_s).symLinkTarget();
}

/** /usr/bin/python3 as the file it is (not a pyenv shim, which another user could not run). */
QString systemPython()
{
    const QFileInfo python(u"/usr/bin/python3"_s);
    return python.exists() ? python.canonicalFilePath() : QString();
}

/** A process that listens on 127.0.0.1:port (0: any) until it is destroyed. */
class Listener
{
public:
    ~Listener() { stop(); }

    /** @p asUid: run as that user (via setpriv), else as ourselves. */
    bool start(const QString &python, quint16 port = 0, std::optional<passwd> asUser = std::nullopt)
    {
        const QString script = u"import socket,sys\n"
                               "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                               "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(8)\n"
                               "print(s.getsockname()[1], flush=True)\n"
                               "sys.stdin.read()\n"_s;
        QStringList args { u"-c"_s, script, QString::number(port) };
        QString program = python;
        if (asUser) {
            program = QStandardPaths::findExecutable(u"setpriv"_s);
            args = QStringList {
                u"--reuid=%1"_s.arg(asUser->pw_uid), u"--regid=%1"_s.arg(asUser->pw_gid), u"--clear-groups"_s, python
            } + args;
        }
        m_process.start(program, args);
        if (!m_process.waitForStarted(5000) || !m_process.waitForReadyRead(10000))
            return false;
        m_port = quint16(m_process.readLine().trimmed().toUInt());
        return m_port != 0;
    }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(3000)) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
    quint16 m_port = 0;
};

/** The other local account (created once, like tst_peeridentity's); nullopt without root. */
std::optional<passwd> peerUser()
{
    if (::geteuid() != 0 || QStandardPaths::findExecutable(u"setpriv"_s).isEmpty())
        return std::nullopt;
    if (!::getpwnam(PeerUser))
        QProcess::execute(u"useradd"_s,
            { u"--system"_s, u"--no-create-home"_s, u"--shell"_s, u"/usr/sbin/nologin"_s,
                QString::fromLatin1(PeerUser) });
    const passwd *pw = ::getpwnam(PeerUser);
    if (!pw || pw->pw_uid == 0)
        return std::nullopt;
    return *pw;
}

QString withPort(QString redirectUri, quint16 port)
{
    const QUrl url(redirectUri);
    return redirectUri.replace(u":%1/"_s.arg(url.port()), u":%1/"_s.arg(port));
}

} // namespace

class TestSecurityReceiver : public QObject
{
    Q_OBJECT

    std::unique_ptr<AsFixture> m_f;

    [[nodiscard]] Ipc::PortOwnerResolver &resolver() { return m_f->server->authorizeEndpoint().portOwnerResolver(); }

    /** The consent request waiting for @p clientId (the newest). */
    std::optional<Consent::ConsentRequest> pendingFor(const QString &clientId)
    {
        std::optional<Consent::ConsentRequest> out;
        for (const Consent::ConsentRequest &r : m_f->broker->pending()) {
            if (r.requester.clientId == clientId)
                out = r;
        }
        return out;
    }
    static bool warns(const Consent::ConsentRequest &r, const QString &part)
    {
        for (const QString &w : r.requester.receiverWarnings) {
            if (w.contains(part))
                return true;
        }
        return false;
    }
    qint64 codes() { return m_f->scalar(u"SELECT count(*) FROM authorization_codes"_s); }
    qint64 grants() { return m_f->scalar(u"SELECT count(*) FROM grants"_s); }

private Q_SLOTS:
    void init()
    {
        m_f = std::make_unique<AsFixture>();
        QVERIFY2(m_f->setup(), qPrintable(m_f->setup().ok() ? QString() : m_f->setup().error().toString()));
    }
    void cleanup() { m_f.reset(); }

    // R3: another user's program listening on the redirect port gets an error page at once:
    // no code, no error redirect to it, no prompt, even with a covering grant.
    void testR3_foreignListenerOnRedirectPortGetsNothing()
    {
        const auto peer = peerUser();
        if (!peer)
            QSKIP("R3 needs root to create and switch to a second local user; CI runs this as root.");
        const QString python = systemPython();
        if (python.isEmpty())
            QSKIP("needs /usr/bin/python3");
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client, u"read"_s)); // a covering grant, received by this test
        Q_UNUSED(tokens);
        Listener squatter;
        QVERIFY(squatter.start(python, 0, peer));
        const qint64 codesBefore = codes();

        for (const bool forcePrompt : { false, true }) {
            Params query = f.authorizeParams(client, Pkce::fresh());
            query.set(u"redirect_uri"_s, withPort(client.redirectUri, squatter.port()));
            if (forcePrompt)
                query.set(u"prompt"_s, u"consent"_s);
            const HttpReply page = f.getAuthorize(query);
            QCOMPARE(page.status, 403);
            QVERIFY(!page.hasHeader("location"));
            QVERIFY2(page.body.contains(QByteArray(
                         "another account on this computer listens on port " + QByteArray::number(squatter.port()))),
                page.body.constData());
            QCOMPARE(f.pendingConsents(), 0);
        }
        QCOMPARE(codes(), codesBefore);
        QCOMPARE(f.scalar(u"SELECT count(*) FROM audit_events WHERE kind = 'authorization.refused'"_s), 2);
        // Control: the same request to this test's own listener is answered at once.
        AS_TRY(own, f.authorize(f.authorizeParams(client, Pkce::fresh())));
        QVERIFY(!own.code().isEmpty());
    }

    // R3: checked again when the answer is sent. The port changes hands to another user while
    // the person decides: the approval issues no code, and the browser lands on Tessera's page.
    void testR3_portChangesHandsWhileThePersonDecides()
    {
        const auto peer = peerUser();
        if (!peer)
            QSKIP("R3 needs root to create and switch to a second local user; CI runs this as root.");
        const QString python = systemPython();
        if (python.isEmpty())
            QSKIP("needs /usr/bin/python3");
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        auto own = std::make_unique<QTcpServer>();
        QVERIFY(own->listen(QHostAddress::LocalHost, 0));
        const quint16 port = own->serverPort();
        Params query = f.authorizeParams(client, Pkce::fresh());
        query.set(u"redirect_uri"_s, withPort(client.redirectUri, port));
        AS_TRY(pending, f.begin(query));
        QCOMPARE(pendingFor(client.id)->requester.processChain.first().pid, qint64(::getpid()));

        own.reset(); // the client went away ...
        Listener squatter; // ... and another user took its port
        QVERIFY(squatter.start(python, port, peer));
        const qint64 grantsBefore = grants();
        AS_TRY(redirect, f.approve(pending));
        QCOMPARE(redirect.status, 303);
        QCOMPARE(redirect.target, f.issuer() + u"/authorize/refused"_s);
        QCOMPARE(redirect.code(), QString());
        QCOMPARE(redirect.value(u"reason"_s), u"foreign_listener"_s);
        QCOMPARE(codes(), 0);
        QCOMPARE(grants(), grantsBefore); // nothing recorded: the approval is not a grant
        const HttpReply page = f.get(redirect.location.mid(f.issuer().size()));
        QCOMPARE(page.status, 403);
        QVERIFY2(page.body.contains("Tessera sent no authorization code"), page.body.constData());
        // The page shows fixed texts only: nothing else from its query.
        QCOMPARE(f.get("/authorize/refused?reason=<script>&port=1").status, 400);
        QCOMPARE(f.get("/authorize/refused?reason=foreign_listener&port=0").status, 400);
    }

    // R3 (CORS): an allow-listed loopback origin counts only while a listener of the person's uid
    // holds its port. A page from another user's squatted port gets no CORS answer at /token.
    void testR3_corsOriginServedByAnotherUser()
    {
        const auto peer = peerUser();
        if (!peer)
            QSKIP("R3 needs root to create and switch to a second local user; CI runs this as root.");
        const QString python = systemPython();
        if (python.isEmpty())
            QSKIP("needs /usr/bin/python3");
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client));
        auto squatter = std::make_unique<Listener>();
        QVERIFY(squatter->start(python, 0, peer));
        const quint16 port = squatter->port();
        const QByteArray localhost = "http://localhost:" + QByteArray::number(port);
        const QByteArray v4 = "http://127.0.0.1:" + QByteArray::number(port);
        QVERIFY(f.server->setCorsAllowedOrigins({ QString::fromLatin1(localhost), QString::fromLatin1(v4) }).ok());
        const auto refresh = [&](const QByteArray &origin) {
            return f.postForm("/token",
                Params { { u"grant_type"_s, u"refresh_token"_s }, { u"refresh_token"_s, tokens.refreshToken },
                    { u"client_id"_s, client.id } },
                "Origin: " + origin + "\r\n");
        };
        for (const QByteArray &origin : { localhost, v4 }) {
            const HttpReply preflight = f.send("OPTIONS /token HTTP/1.1\r\nHost: " + f.host() + "\r\nOrigin: " + origin
                + "\r\nAccess-Control-Request-Method: POST\r\n\r\n");
            QCOMPARE(preflight.status, 403);
            QVERIFY(!preflight.hasHeaderPrefix("access-control-"));
            QCOMPARE(errorOf(preflight), u"origin_foreign_listener"_s);
            const HttpReply r = refresh(origin);
            QCOMPARE(r.status, 403);
            QVERIFY(!r.hasHeaderPrefix("access-control-"));
            QCOMPARE(errorOf(r), u"origin_foreign_listener"_s);
            QVERIFY2(AsFixture::json(r).value(u"error_description"_s).toString().contains(u"another user's program"_s),
                r.body.constData());
        }
        // The refused requests changed nothing; once the person's own program serves the port, it counts.
        squatter.reset();
        QTcpServer inspector;
        QVERIFY(inspector.listen(QHostAddress::LocalHost, port));
        const HttpReply ok = refresh(localhost);
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.header("access-control-allow-origin"), localhost);
    }

    // R3 (CORS), without a second user: an allowed loopback origin nobody serves does not count,
    // and for localhost either family's listener must be ours.
    void testR3_corsOriginNobodyServes()
    {
        AsFixture &f = *m_f;
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        const QByteArray origin = "http://localhost:" + QByteArray::number(port);
        QVERIFY(f.server->setCorsAllowedOrigins({ QString::fromLatin1(origin), u"https://app.example"_s }).ok());
        const auto preflight = [&](const QByteArray &o) {
            return f.send("OPTIONS /register HTTP/1.1\r\nHost: " + f.host() + "\r\nOrigin: " + o
                + "\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n");
        };
        HttpReply r = preflight(origin);
        QCOMPARE(r.status, 403);
        QVERIFY(!r.hasHeaderPrefix("access-control-"));
        QCOMPARE(errorOf(r), u"origin_not_listening"_s);
        QVERIFY(AsFixture::json(r).value(u"error_description"_s).toString().contains(u"No program of yours"_s));
        QCOMPARE(preflight("https://app.example").status, 204); // web origins are not port-checked
        QTcpServer inspector;
        QVERIFY(inspector.listen(QHostAddress::LocalHost, port));
        r = preflight(origin);
        QCOMPARE(r.status, 204);
        QCOMPARE(r.header("access-control-allow-origin"), origin);
    }

    // R4 (RFC 8252 §8.6): silent only to the executable that received the code when the person
    // approved. Another program of the same user (python3) on a fresh port gets a prompt that
    // names both; approving it moves the grant to it.
    void testR4_silentOnlyForTheApprovedExecutable()
    {
        const QString python = systemPython();
        if (python.isEmpty())
            QSKIP("needs /usr/bin/python3");
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client, u"read"_s)); // approved while this test listened
        Q_UNUSED(tokens);
        OAuth::AuthorizationSnapshot read;
        read.clientId = client.id;
        read.resourceId = f.resource.id;
        read.scopes = { u"read"_s };
        const QString grantId = f.server->grants().coveringGrant(read)->value().id;
        auto recorded = f.server->grants().receiverOf(grantId);
        QVERIFY(recorded && recorded->has_value());
        QCOMPARE((*recorded)->exePath, selfExe());

        AS_TRY(silent, f.authorize(f.authorizeParams(client, Pkce::fresh())));
        QVERIFY(!silent.code().isEmpty());
        QCOMPARE(f.pendingConsents(), 0);

        Listener other;
        QVERIFY(other.start(python));
        Params query = f.authorizeParams(client, Pkce::fresh());
        query.set(u"redirect_uri"_s, withPort(client.redirectUri, other.port()));
        const qint64 codesBefore = codes();
        AS_TRY(pending, f.begin(query));
        QCOMPARE(codes(), codesBefore);
        const auto asked = pendingFor(client.id);
        QVERIFY(asked);
        QCOMPARE(asked->requester.processChain.first().pid, other.pid());
        QCOMPARE(asked->requester.processChain.first().exe, python);
        QCOMPARE(asked->requester.previousExecutable, selfExe()); // "Last time: X. Now: Y."
        AS_TRY(approved, f.approve(pending));
        QVERIFY(!approved.code().isEmpty());

        // The grant now belongs to python3: this test's own listener is asked about again.
        AS_TRY(again, f.begin(f.authorizeParams(client, Pkce::fresh())));
        QCOMPARE(pendingFor(client.id)->requester.previousExecutable, python);
        Q_UNUSED(again);
    }

    // R4: a copy of python3 is another file, and so is the same path rewritten: both are asked
    // about, the second with "not the same file".
    void testR4_copiedOrReplacedBinaryIsAnotherProgram()
    {
        const QString python = systemPython();
        if (python.isEmpty())
            QSKIP("needs /usr/bin/python3");
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        QTemporaryDir bin;
        const QString copy = bin.filePath(u"python3"_s);
        QVERIFY(QFile::copy(python, copy));
        QVERIFY(QFile::setPermissions(copy, QFile::ReadOwner | QFile::ExeOwner | QFile::ReadOther | QFile::ExeOther));
        {
            Listener original;
            QVERIFY(original.start(python));
            Params query = f.authorizeParams(client, Pkce::fresh());
            query.set(u"redirect_uri"_s, withPort(client.redirectUri, original.port()));
            AS_TRY(first, f.authorize(query));
            QVERIFY(!first.code().isEmpty());
            // The same program again: silent.
            query = f.authorizeParams(client, Pkce::fresh());
            query.set(u"redirect_uri"_s, withPort(client.redirectUri, original.port()));
            const HttpReply silent = f.getAuthorize(query);
            QCOMPARE(silent.status, 303);
        }
        {
            Listener copied;
            QVERIFY(copied.start(copy));
            Params query = f.authorizeParams(client, Pkce::fresh());
            query.set(u"redirect_uri"_s, withPort(client.redirectUri, copied.port()));
            AS_TRY(pending, f.begin(query));
            QCOMPARE(pendingFor(client.id)->requester.previousExecutable, python);
            AS_TRY(approved, f.approve(pending));
            QVERIFY(!approved.code().isEmpty());
        }
        // Replace the copy at the same path (a new inode), as an update or an attacker would.
        const QString staged = bin.filePath(u"staged"_s);
        QVERIFY(QFile::copy(python, staged));
        QVERIFY(QFile::setPermissions(staged, QFile::ReadOwner | QFile::ExeOwner));
        QVERIFY(::rename(QFile::encodeName(staged).constData(), QFile::encodeName(copy).constData()) == 0);
        Listener replaced;
        QVERIFY(replaced.start(copy));
        Params query = f.authorizeParams(client, Pkce::fresh());
        query.set(u"redirect_uri"_s, withPort(client.redirectUri, replaced.port()));
        AS_TRY(pending, f.begin(query));
        const auto asked = pendingFor(client.id);
        QVERIFY(asked->requester.previousExecutable.isEmpty()); // the path is the same ...
        QVERIFY2(warns(*asked, u"is not the same file as when you approved"_s),
            qPrintable(asked->requester.receiverWarnings.join(u" | "_s))); // ... the file is not
        Q_UNUSED(pending);
    }

    // R4: never silent to a port nobody listens on, and never from a grant whose receiver was not
    // recorded; the prompt says which.
    void testR4_nobodyListeningOrNoRecordIsNeverSilent()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        quint16 free = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            free = probe.serverPort();
        }
        // Approved while nobody listened: a grant, but no receiver recorded.
        Params query = f.authorizeParams(client, Pkce::fresh());
        query.set(u"redirect_uri"_s, withPort(client.redirectUri, free));
        AS_TRY(pending, f.begin(query));
        QVERIFY(warns(*pendingFor(client.id), u"Nothing listens on port %1"_s.arg(free)));
        AS_TRY(approved, f.approve(pending));
        QVERIFY(!approved.code().isEmpty()); // nobody to refuse: the person decided knowing it
        QCOMPARE(f.scalar(u"SELECT count(*) FROM grant_receivers"_s), 0);

        // Covering grant, nobody listening: asked again.
        query = f.authorizeParams(client, Pkce::fresh());
        query.set(u"redirect_uri"_s, withPort(client.redirectUri, free));
        AS_TRY(again, f.begin(query));
        QVERIFY(warns(*pendingFor(client.id), u"Nothing listens on port %1"_s.arg(free)));
        QVERIFY(f.broker->decide(again.consentId, Consent::Decision::deny(u"desktop"_s)).ok());

        // Covering grant, our listener, no record of who received it: asked, and told why.
        AS_TRY(ours, f.begin(f.authorizeParams(client, Pkce::fresh())));
        QVERIFY(warns(*pendingFor(client.id), u"no record of which program received the answer"_s));
        AS_TRY(recorded, f.approve(ours));
        QVERIFY(!recorded.code().isEmpty());
        QCOMPARE(f.scalar(u"SELECT count(*) FROM grant_receivers"_s), 1);
        AS_TRY(silent, f.authorize(f.authorizeParams(client, Pkce::fresh())));
        QVERIFY(!silent.code().isEmpty());
    }

    // R8: the port lookup runs off the event loop. With 50 /authorize requests whose lookups are
    // stuck, metadata is still answered; the 50 are looked up once each, in two passes.
    void testR8_eventLoopServesWhileLookupsAreStuck()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        auto gate = std::make_shared<QSemaphore>(0);
        resolver().setBudgetMs(60'000);
        auto calls = std::make_shared<std::atomic_int>(0);
        resolver().setLookupForTesting([gate, calls](const QList<Ipc::PortQuery> &queries) {
            // The first lookup is stuck until released. Bounded, so that a lookup run on the event
            // loop fails this test instead of hanging it.
            if (calls->fetch_add(1) == 0)
                (void)gate->tryAcquire(1, 5000);
            QList<Ipc::PortOwnerReport> out;
            for (const Ipc::PortQuery &q : queries) {
                Ipc::PortOwnerReport r;
                r.state = Ipc::PortOwnerReport::State::Foreign;
                r.port = q.port;
                r.listenerUid = 4242;
                out.append(r);
            }
            return out;
        });
        std::vector<std::unique_ptr<QTcpSocket>> browsers;
        for (int i = 0; i < 50; ++i) {
            auto s = std::make_unique<QTcpSocket>();
            s->connectToHost(QHostAddress::LocalHost, f.port());
            s->write(getRequest("/authorize?" + f.authorizeParams(client, Pkce::fresh()).encoded(), f.port()));
            browsers.push_back(std::move(s));
        }
        QTRY_COMPARE_WITH_TIMEOUT(resolver().passes(), 1, 5000); // the first is stuck, 49 wait for the next pass
        QElapsedTimer waited;
        waited.start();
        const HttpReply metadata = f.get("/.well-known/oauth-authorization-server");
        QCOMPARE(metadata.status, 200);
        QVERIFY2(waited.elapsed() < 5000, "metadata waited for the port lookups");
        QTRY_COMPARE_WITH_TIMEOUT(resolver().queriesLookedUp(), 1, 1000);
        for (const auto &b : browsers)
            QCOMPARE(b->bytesAvailable(), 0); // nobody answered yet: the lookups are still stuck

        gate->release(2);
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(browsers.cbegin(), browsers.cend(), [](const auto &b) { return b->bytesAvailable() > 0; }),
            10'000);
        for (const auto &b : browsers)
            QVERIFY(b->readAll().startsWith("HTTP/1.1 403"));
        QCOMPARE(resolver().passes(), 2);
        QCOMPARE(resolver().queriesLookedUp(), 50); // once per request
        QCOMPARE(f.pendingConsents(), 0);
    }

    // R8: past the budget the owner is unknown: never silent, and the prompt says so. Looked up
    // once when the request arrives and once when it is answered.
    void testR8_pastTheBudgetThePersonIsAsked()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client, u"read"_s)); // covering grant, receiver recorded
        Q_UNUSED(tokens);
        const int before = resolver().queriesLookedUp();
        AS_TRY(silent, f.authorize(f.authorizeParams(client, Pkce::fresh())));
        QVERIFY(!silent.code().isEmpty());
        QCOMPARE(resolver().queriesLookedUp(), before + 1); // silent: one lookup

        auto gate = std::make_shared<QSemaphore>(0);
        resolver().setBudgetMs(100);
        resolver().setLookupForTesting([gate](const QList<Ipc::PortQuery> &queries) {
            (void)gate->tryAcquire(1, 10'000);
            return Ipc::PortOwnerResolver::lookupNow(queries);
        });
        const HttpReply page = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()));
        QCOMPARE(page.status, 200); // asked, not answered from the grant
        const auto asked = pendingFor(client.id);
        QVERIFY(asked);
        QVERIFY2(
            warns(*asked,
                u"could not check in time which program listens on port %1"_s.arg(f.redirectListener.serverPort())),
            qPrintable(asked->requester.receiverWarnings.join(u" | "_s)));
        gate->release(1);
        resolver().setLookupForTesting(nullptr);
        resolver().setBudgetMs(Ipc::PortOwnerResolver::DefaultBudgetMs);

        AS_TRY(pending, f.waitFor(page, client.id));
        const int beforeAnswer = resolver().queriesLookedUp();
        AS_TRY(approved, f.approve(pending));
        QVERIFY(!approved.code().isEmpty());
        QCOMPARE(resolver().queriesLookedUp(), beforeAnswer + 1); // answered: looked up once more
    }
};

QTEST_GUILESS_MAIN(TestSecurityReceiver)
#include "tst_security_receiver.moc"
