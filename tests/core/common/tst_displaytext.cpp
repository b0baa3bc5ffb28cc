// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/displaytext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Tessera;

/** R1: what a hostile string becomes before it reaches a terminal or a one-line label. */
class TestDisplayText : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testR1_escapesEverythingThatMovesTheCursorOrReordersText_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << QStringLiteral("claude-code 1.2") << QStringLiteral("claude-code 1.2");
        QTest::newRow("unicode kept") << QStringLiteral("Cl\u0430ude \u00e9t\u00e9 \U0001F600")
                                      << QStringLiteral("Cl\u0430ude \u00e9t\u00e9 \U0001F600");
        QTest::newRow("csi clear screen") << QStringLiteral("a\x1b[2J\x1b[Hb") << QStringLiteral("a\\x1b[2J\\x1b[Hb");
        QTest::newRow("osc title") << QStringLiteral("\x1b]0;pwned\x07") << QStringLiteral("\\x1b]0;pwned\\x07");
        QTest::newRow("newline forges a line") << QStringLiteral("/tmp/x\n  process    /usr/bin/claude (pid 1)")
                                               << QStringLiteral("/tmp/x\\n  process    /usr/bin/claude (pid 1)");
        QTest::newRow("cr tab") << QStringLiteral("a\rb\tc") << QStringLiteral("a\\rb\\tc");
        QTest::newRow("del") << QStringLiteral("a\x7f") << QStringLiteral("a\\x7f");
        QTest::newRow("c1 csi") << QStringLiteral("a\u009b2J") << QStringLiteral("a\\u{009B}2J");
        QTest::newRow("rlo") << QStringLiteral("evil\u202Etxt.exe") << QStringLiteral("evil\\u{202E}txt.exe");
        QTest::newRow("isolates") << QStringLiteral("\u2066x\u2069") << QStringLiteral("\\u{2066}x\\u{2069}");
        QTest::newRow("line separator") << QStringLiteral("a\u2028b\u2029c") << QStringLiteral("a\\u{2028}b\\u{2029}c");
        QTest::newRow("zero width") << QStringLiteral("a\u200bb\ufeff") << QStringLiteral("a\\u{200B}b\\u{FEFF}");
        QTest::newRow("backslash doubled") << QStringLiteral("a\\x1b") << QStringLiteral("a\\\\x1b");
        QTest::newRow("lone surrogate") << QString(QChar(0xD800)) << QStringLiteral("\\u{D800}");
        QTest::newRow("tag chars") << QStringLiteral("a\U000E0041") << QStringLiteral("a\\u{E0041}");
    }
    void testR1_escapesEverythingThatMovesTheCursorOrReordersText()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(displaySafe(input), expected);
        QCOMPARE(needsEscaping(input), input != expected);
        QCOMPARE(displaySafeUtf8(input.toUtf8()), input.contains(QChar(0xD800)) ? QStringLiteral("?") : expected);
    }

    void testR1_outputHoldsNoControlCharacterAtAll()
    {
        // Every code point of the BMP's control and format ranges, one after another.
        QString all;
        for (char32_t c = 0; c < 0x3000; ++c) {
            if (!QChar::isSurrogate(c))
                all += QString::fromUcs4(&c, 1);
        }
        const QString safe = displaySafe(all);
        for (const QChar ch : safe) {
            const auto cat = ch.category();
            QVERIFY2(cat != QChar::Other_Control && cat != QChar::Separator_Line && cat != QChar::Separator_Paragraph,
                qPrintable(QString::number(ch.unicode(), 16)));
            QVERIFY2(ch.direction() != QChar::DirRLO && ch.direction() != QChar::DirLRO
                    && ch.direction() != QChar::DirRLE && ch.direction() != QChar::DirLRE
                    && ch.direction() != QChar::DirPDF && ch.direction() != QChar::DirLRI
                    && ch.direction() != QChar::DirRLI && ch.direction() != QChar::DirFSI
                    && ch.direction() != QChar::DirPDI,
                qPrintable(QString::number(ch.unicode(), 16)));
        }
    }

    void testR1_invalidUtf8ShownPerByte()
    {
        QCOMPARE(displaySafeUtf8(QByteArray("a\xff"
                                            "b")),
            QStringLiteral("a\\xffb"));
        QCOMPARE(displaySafeUtf8(QByteArray("\xc0\xaf")), QStringLiteral("\\xc0\\xaf")); // overlong '/'
        QCOMPARE(displaySafeUtf8(QByteArray("\xed\xa0\x80")), QStringLiteral("\\xed\\xa0\\x80")); // surrogate
        QCOMPARE(displaySafeUtf8(QByteArray("\xe2\x80\xae")), QStringLiteral("\\u{202E}"));
        QCOMPARE(displaySafeUtf8(QByteArray("\x1b[31m")), QStringLiteral("\\x1b[31m"));
    }

    void testR1_pathsShowLookalikeSlashesEscaped_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("lookalike");
        QTest::newRow("plain path") << QStringLiteral("/usr/bin/claude") << QStringLiteral("/usr/bin/claude") << false;
        QTest::newRow("division slash") << QStringLiteral("/tmp/x/usr\u2215bin\u2215claude")
                                        << QStringLiteral("/tmp/x/usr\\u{2215}bin\\u{2215}claude") << true;
        QTest::newRow("fraction slash") << QStringLiteral("/tmp/a\u2044b") << QStringLiteral("/tmp/a\\u{2044}b")
                                        << true;
        QTest::newRow("fullwidth solidus")
            << QStringLiteral("/tmp/a\uFF0Fb") << QStringLiteral("/tmp/a\\u{FF0F}b") << true;
        QTest::newRow("big solidus") << QStringLiteral("/tmp/a\u29F8b") << QStringLiteral("/tmp/a\\u{29F8}b") << true;
        QTest::newRow("combining overlay")
            << QStringLiteral("/tmp/a\u0338b") << QStringLiteral("/tmp/a\\u{0338}b") << true;
        QTest::newRow("newline still escaped")
            << QStringLiteral("/tmp/x\n  process    /usr/bin/claude (pid 1)")
            << QStringLiteral("/tmp/x\\n  process    /usr/bin/claude (pid 1)") << false;
    }
    void testR1_pathsShowLookalikeSlashesEscaped()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QFETCH(bool, lookalike);
        QCOMPARE(displaySafePath(input), expected);
        QCOMPARE(hasLookalikeSlash(input), lookalike);
        // Outside a path a slash-like sign is only text.
        QCOMPARE(displaySafe(QStringLiteral("1\u22152")), QStringLiteral("1\u22152"));
    }

    void testR1_jsonKeepsTheValueAndHoldsNoRawControls()
    {
        // Every code point of the BMP's control and format ranges, then the astral tags and emoji.
        QString all;
        for (char32_t c = 0; c < 0x3000; ++c) {
            if (!QChar::isSurrogate(c))
                all += QString::fromUcs4(&c, 1);
        }
        all += QStringLiteral("\uFDD0\uFEFF\uFFFE\U000E0041\U0001F600 \u00e9 \\u{202E}");
        const QJsonObject original { { QStringLiteral("name"), all },
            { QStringLiteral("list"),
                QJsonArray { all, QStringLiteral("agent\n  process    /usr/bin/claude\x1b[2J") } },
            { all, 1 } }; // a member name too
        for (const auto format : { QJsonDocument::Indented, QJsonDocument::Compact }) {
            const QByteArray raw = QJsonDocument(original).toJson(format);
            QVERIFY(raw.contains("\xc2\x9b") && raw.contains("\xe2\x80\xae")); // Qt alone emits them raw
            const QByteArray safe = jsonDisplaySafe(raw);
            QJsonParseError error {};
            const QJsonDocument back = QJsonDocument::fromJson(safe, &error);
            QCOMPARE(error.error, QJsonParseError::NoError);
            QCOMPARE(back.object(), original); // nothing lost, nothing changed
            const QString text = QString::fromUtf8(safe);
            for (const char32_t c : text.toUcs4()) {
                const bool structural = c == '\n' || c == ' ';
                QVERIFY2(structural || !isUnsafeForDisplay(c), qPrintable(QString::number(uint(c), 16)));
            }
            QVERIFY(!safe.contains('\x1b') && !safe.contains("\xe2\x80\xa8") && !safe.contains("\xe2\x80\xa9"));
            QVERIFY(safe.contains("\\u009b") && safe.contains("\\u202e") && safe.contains("\\udb40\\udc41"));
            QVERIFY(safe.contains("\xc3\xa9") && safe.contains("\xf0\x9f\x98\x80")); // other text stays as it was
        }
    }
};

QTEST_APPLESS_MAIN(TestDisplayText)
#include "tst_displaytext.moc"
