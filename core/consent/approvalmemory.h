// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>

#include <optional>

namespace Tessera::Consent {

/**
 * @brief What one approval made (a grant's id), remembered for the other requesters merged into
 * the same prompt (issue 9, R5): they share it instead of each making their own. Keyed by the
 * consent request id a Decision carries; forgets after KeepSecs, far beyond the last merged answer.
 */
class ApprovalMemory
{
public:
    static constexpr qint64 KeepSecs = 600;

    [[nodiscard]] std::optional<QString> find(const QString &requestId, qint64 nowSecs)
    {
        forgetOld(nowSecs);
        const auto it = m_made.constFind(requestId);
        return it == m_made.cend() ? std::nullopt : std::optional<QString>(it->made);
    }
    void remember(const QString &requestId, const QString &made, qint64 nowSecs)
    {
        if (!requestId.isEmpty())
            m_made.insert(requestId, Made { made, nowSecs });
    }

private:
    void forgetOld(qint64 nowSecs)
    {
        for (auto it = m_made.begin(); it != m_made.end();)
            it = it->atSecs < nowSecs - KeepSecs ? m_made.erase(it) : std::next(it);
    }
    struct Made
    {
        QString made;
        qint64 atSecs = 0;
    };
    QHash<QString, Made> m_made;
};

} // namespace Tessera::Consent
