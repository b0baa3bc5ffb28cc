// SPDX-License-Identifier: GPL-3.0-or-later
// Helper for tst_crashsafety: writes to a Tessera database until it is killed.
//
//   store_crash_writer <db> loop   each transaction: a grant, its refresh family with a first
//                                   token, a rotation of the previous family's token and an
//                                   audit event; after COMMIT prints "committed <grant id>"
//   store_crash_writer <db> big    one transaction of many grants/families/events, printing
//                                   "staged <grant id>" as it goes and "staged-all" at the end,
//                                   then waits (never commits) until killed
#include "common/clock.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/refreshtokenstore.h"
#include "store/resourcestore.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QThread>
#include <QUuid>

#include <cstdio>

using namespace Tessera;
using namespace Tessera::Store;

namespace {
const QString kClient = QStringLiteral("crash-client");
const QString kResourceUri = QStringLiteral("http://127.0.0.1:9999/mcp");

void say(const QByteArray &line)
{
    std::fputs(line.constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

int fail(const Error &e)
{
    std::fprintf(stderr, "store_crash_writer: %s\n", qPrintable(e.toString()));
    return 1;
}

QByteArray newHash()
{
    return QCryptographicHash::hash(QUuid::createUuid().toRfc4122(), QCryptographicHash::Sha256);
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// One grant with its refresh family and an audit event, inside the caller's transaction.
Result<QString> writeOne(Database &db, AuditLog &audit, qint64 resourceId, QByteArray &previousToken)
{
    const qint64 now = SystemClock::instance().nowSecs();
    Grant g;
    g.id = newId();
    g.clientId = kClient;
    g.resourceId = resourceId;
    g.scopes = { QStringLiteral("read") };
    g.createdAt = now;
    g.duration = QStringLiteral("until_revoked");
    if (Status s = GrantStore(db).create(g); !s)
        return s.error();
    RefreshTokenStore refresh(db);
    const RefreshFamily family { newId(), g.id, kClient, kResourceUri, g.scopes, now, {}, {} };
    const QByteArray first = newHash();
    if (Status s = refresh.createFamily(family, first, now + 86400); !s)
        return s.error();
    if (!previousToken.isEmpty()) {
        auto r = refresh.rotate(previousToken, newHash(), now + 86400, now);
        if (!r)
            return r.error().error;
    }
    previousToken = first;
    auto e = audit.append({ QStringLiteral("grant.created"), QStringLiteral("user"), kClient, kResourceUri, g.id,
        QJsonObject { { QStringLiteral("family"), family.id } } });
    if (!e)
        return e.error();
    return g.id;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3 || (args.at(2) != u"loop" && args.at(2) != u"big")) {
        std::fprintf(stderr, "usage: store_crash_writer <db> loop|big\n");
        return 2;
    }
    auto opened = Database::open(args.at(1));
    if (!opened)
        return fail(opened.error());
    Database &db = **opened;

    qint64 resourceId = 0;
    {
        auto tx = Transaction::begin(db);
        if (!tx)
            return fail(tx.error());
        ClientStore clients(db);
        auto client = clients.find(kClient);
        if (!client)
            return fail(client.error());
        if (!client->has_value()) {
            Client c;
            c.clientId = kClient;
            c.kind = ClientKind::Local;
            c.createdAt = SystemClock::instance().nowSecs();
            c.consented = true;
            if (Status s = clients.insert(c); !s)
                return fail(s.error());
        }
        ResourceStore resources(db);
        auto existing = resources.findByUri(kResourceUri);
        if (!existing)
            return fail(existing.error());
        if (existing->has_value()) {
            resourceId = (*existing)->id;
        } else {
            Resource r;
            r.uri = kResourceUri;
            r.name = QStringLiteral("crash");
            r.scopes = { { QStringLiteral("read"), {}, Risk::Low } };
            auto added = resources.add(r, SystemClock::instance().nowSecs());
            if (!added)
                return fail(added.error());
            resourceId = added->id;
        }
        if (Status s = tx->commit(); !s)
            return fail(s.error());
    }

    AuditLog audit(db, SystemClock::instance());
    QByteArray previousToken;
    if (args.at(2) == u"big") {
        auto tx = Transaction::begin(db);
        if (!tx)
            return fail(tx.error());
        for (int i = 0; i < 3000; ++i) {
            auto id = writeOne(db, audit, resourceId, previousToken);
            if (!id)
                return fail(id.error());
            say("staged " + id->toUtf8());
        }
        say("staged-all");
        for (;;)
            QThread::sleep(1); // hold the transaction open until killed
    }

    for (;;) {
        auto tx = Transaction::begin(db);
        if (!tx)
            return fail(tx.error());
        auto id = writeOne(db, audit, resourceId, previousToken);
        if (!id)
            return fail(id.error());
        if (Status s = tx->commit(); !s)
            return fail(s.error());
        say("committed " + id->toUtf8());
    }
}
