// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/settingsstore.h"

#include "store/database.h"
#include "store/storeerror.h"

namespace Tessera::Store {

Result<std::optional<QString>> SettingsStore::get(const QString &key)
{
    auto q = m_db.prepare(QStringLiteral("SELECT value FROM settings WHERE key = ?"));
    if (!q)
        return q.error();
    q->bindText(key);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<QString>(q->text(0));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<QString>();
}

Result<QString> SettingsStore::value(const QString &key, const QString &fallback)
{
    auto v = get(key);
    if (!v)
        return v.error();
    return v->value_or(fallback);
}

Status SettingsStore::set(const QString &key, const QString &value)
{
    if (key.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A setting needs a key."));
    auto q = m_db.prepare(QStringLiteral(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    if (!q)
        return q.error();
    q->bindText(key).bindText(value);
    return q->exec();
}

Result<bool> SettingsStore::remove(const QString &key)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM settings WHERE key = ?"));
    if (!q)
        return q.error();
    q->bindText(key);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected() > 0;
}

} // namespace Tessera::Store
