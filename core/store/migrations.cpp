// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/migrations.h"

#include "store/storeerror.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <algorithm>

namespace Tessera::Store::Migrations {

Result<QList<Migration>> load(const QString &resourceDir)
{
    static const QRegularExpression fileName(QStringLiteral("^(\\d{4})_([a-z0-9_]+)\\.sql$"));
    QList<Migration> out;
    const QStringList files = QDir(resourceDir).entryList({ QStringLiteral("*.sql") }, QDir::Files, QDir::Name);
    for (const QString &f : files) {
        const QRegularExpressionMatch m = fileName.match(f);
        if (!m.hasMatch())
            return storeError(ErrorCode::StoreError, QStringLiteral("The migration file %1 is misnamed.").arg(f));
        QFile file(resourceDir + u'/' + f);
        if (!file.open(QIODevice::ReadOnly))
            return storeError(ErrorCode::StoreError, QStringLiteral("Cannot read the migration %1.").arg(f));
        out.append({ m.captured(1).toInt(), m.captured(2), QString::fromUtf8(file.readAll()) });
    }
    std::sort(out.begin(), out.end(), [](const Migration &a, const Migration &b) { return a.version < b.version; });
    for (qsizetype i = 0; i < out.size(); ++i) {
        if (out.at(i).version != i + 1)
            return storeError(ErrorCode::StoreError,
                QStringLiteral("The migrations are not numbered 1, 2, 3, ... (found %1 at position %2).")
                    .arg(out.at(i).version)
                    .arg(i + 1));
    }
    if (out.isEmpty())
        return storeError(ErrorCode::StoreError, QStringLiteral("No schema migrations are compiled in."));
    return out;
}

namespace {
bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}
} // namespace

QStringList splitStatements(const QString &sql)
{
    QStringList statements;
    QString current;
    // Words seen at the start of the current statement, to recognise CREATE [TEMP] TRIGGER.
    QStringList leadingWords;
    bool inTrigger = false;
    int caseDepth = 0;
    bool lastWordClosesTrigger = false;

    auto finishStatement = [&]() {
        const QString s = current.trimmed();
        if (!s.isEmpty())
            statements.append(s);
        current.clear();
        leadingWords.clear();
        inTrigger = false;
        caseDepth = 0;
        lastWordClosesTrigger = false;
    };

    const qsizetype n = sql.size();
    qsizetype i = 0;
    while (i < n) {
        const QChar c = sql.at(i);
        if (c == u'-' && i + 1 < n && sql.at(i + 1) == u'-') {
            while (i < n && sql.at(i) != u'\n')
                ++i;
            current.append(u' ');
            continue;
        }
        if (c == u'/' && i + 1 < n && sql.at(i + 1) == u'*') {
            const qsizetype end = sql.indexOf(QStringLiteral("*/"), i + 2);
            i = end < 0 ? n : end + 2;
            current.append(u' ');
            continue;
        }
        if (c == u'\'' || c == u'"' || c == u'`' || c == u'[') {
            const QChar close = c == u'[' ? QChar(u']') : c;
            qsizetype j = i + 1;
            while (j < n) {
                if (sql.at(j) == close) {
                    // A doubled quote inside the literal is an escaped quote.
                    if (close != u']' && j + 1 < n && sql.at(j + 1) == close) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                ++j;
            }
            current.append(QStringView(sql).mid(i, std::min(j + 1, n) - i));
            i = j + 1;
            lastWordClosesTrigger = false;
            continue;
        }
        if (isWordChar(c)) {
            qsizetype j = i;
            while (j < n && isWordChar(sql.at(j)))
                ++j;
            const QString word = sql.mid(i, j - i).toUpper();
            current.append(QStringView(sql).mid(i, j - i));
            i = j;
            if (leadingWords.size() < 3) {
                leadingWords.append(word);
                const bool temp
                    = leadingWords.size() == 3 && (leadingWords.at(1) == u"TEMP" || leadingWords.at(1) == u"TEMPORARY");
                if (leadingWords.first() == u"CREATE"
                    && ((leadingWords.size() == 2 && word == u"TRIGGER") || (temp && word == u"TRIGGER")))
                    inTrigger = true;
            }
            if (inTrigger) {
                if (word == u"CASE") {
                    ++caseDepth;
                    lastWordClosesTrigger = false;
                } else if (word == u"END") {
                    lastWordClosesTrigger = caseDepth == 0;
                    if (caseDepth > 0)
                        --caseDepth;
                } else {
                    lastWordClosesTrigger = false;
                }
            }
            continue;
        }
        if (c == u';') {
            if (!inTrigger || lastWordClosesTrigger) {
                finishStatement();
                ++i;
                continue;
            }
            current.append(c);
            ++i;
            continue;
        }
        if (!c.isSpace())
            lastWordClosesTrigger = false;
        current.append(c);
        ++i;
    }
    finishStatement();
    return statements;
}

QString adaptForSqlite(const QString &sql, bool strictTables)
{
    if (strictTables)
        return sql;
    // ") STRICT;" -> ");" and ") STRICT, WITHOUT ROWID;" -> ") WITHOUT ROWID;"
    static const QRegularExpression strictFirst(QStringLiteral("\\)\\s*STRICT\\s*,\\s*"));
    static const QRegularExpression strictOnly(QStringLiteral("\\)\\s*STRICT\\b"));
    QString out = sql;
    out.replace(strictFirst, QStringLiteral(") "));
    out.replace(strictOnly, QStringLiteral(")"));
    return out;
}

bool versionAtLeast(const QString &version, int major, int minor, int patch)
{
    const QStringList parts = version.split(u'.');
    const int want[3] = { major, minor, patch };
    for (int k = 0; k < 3; ++k) {
        const int have = k < parts.size() ? parts.at(k).toInt() : 0;
        if (have != want[k])
            return have > want[k];
    }
    return true;
}

} // namespace Tessera::Store::Migrations
