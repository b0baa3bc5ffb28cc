// SPDX-License-Identifier: GPL-3.0-or-later
// No Secret Service at all (a private bus where none exists or can be activated):
// Tessera keeps running, says why it cannot work, creates no key, and never writes one
// anywhere else (security-cases H3).
#include "support/tesserainstance.h"
#include "support/testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Tessera::Test;

class TestNoKeychain : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testFailsClosedAndSaysWhy()
    {
        TesseraInstance t;
        QVERIFY(t.start());
        QVERIFY2(t.waitUntil(6), t.log().constData()); // 6: keychain unavailable
        const CliResult human = t.cli({ QStringLiteral("status") });
        QCOMPARE(human.exitCode, 6);
        QVERIFY(human.out.contains("keychain_unavailable"));
        QVERIFY(human.out.contains("none loaded"));
        const QJsonObject s
            = QJsonDocument::fromJson(t.cli({ QStringLiteral("--json"), QStringLiteral("status") }).out).object();
        QCOMPARE(s.value(QStringLiteral("state")).toString(), QStringLiteral("keychain_unavailable"));
        QVERIFY(s.value(QStringLiteral("message")).toString().contains(QStringLiteral("Secret Service")));
        QVERIFY(s.value(QStringLiteral("signingKid")).toString().isEmpty());

        // No key material anywhere on disk: no PKCS#8, no JWK with "d".
        for (const QString &root : { t.dataDir(), t.configDir(), QDir::homePath() }) {
            QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString f = it.next();
                QVERIFY2(!fileContains(f, "\"d\":"), qPrintable(f));
                QVERIFY2(!fileContains(f, "PRIVATE KEY"), qPrintable(f));
            }
        }
        QCOMPARE(t.stop(), 0);
        QVERIFY2(t.log().contains("Keychain unavailable"), t.log().constData());
    }
};

QTEST_GUILESS_MAIN(TestNoKeychain)
#include "tst_nokeychain.moc"
