// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace Tessera {

/** @brief Decoded application/x-www-form-urlencoded parameters, each name present at most once. */
class FormData
{
public:
    [[nodiscard]] bool contains(QStringView name) const;
    /** @brief The decoded value, or nullopt if the parameter is absent ("" if present but empty). */
    [[nodiscard]] std::optional<QString> value(QStringView name) const;
    [[nodiscard]] qsizetype size() const { return m_items.size(); }
    [[nodiscard]] bool isEmpty() const { return m_items.isEmpty(); }
    /** @brief All parameters in the order received. */
    [[nodiscard]] const QList<QPair<QString, QString>> &items() const { return m_items; }

private:
    friend Result<FormData> parseForm(QByteArrayView, int);
    QList<QPair<QString, QString>> m_items;
};

/**
 * @brief Strict parser for application/x-www-form-urlencoded request bodies and query strings.
 *
 * `+` is a space and `%XX` a byte (WHATWG URL "urlencoded parsing"). Stricter than that algorithm,
 * so that no two parsers can read one input differently:
 * - form_duplicate_parameter: a name appears twice (RFC 6749 §3.1: parameters MUST NOT be
 *   included more than once), compared after decoding;
 * - form_invalid_percent_encoding: `%` not followed by two hex digits;
 * - form_invalid_character: a raw byte that must have been percent-encoded (controls, space, non-ASCII, `#`);
 * - form_invalid_utf8: a decoded name or value is not well-formed UTF-8;
 * - form_nul: a decoded name or value contains U+0000;
 * - form_empty_name: `=value` or an empty pair (`a=1&&b=2`, trailing `&`);
 * - form_too_many_parameters: more than @p maxParams pairs.
 * An empty input is an empty form. `name` without `=` has the empty value.
 */
[[nodiscard]] Result<FormData> parseForm(QByteArrayView body, int maxParams = 64);

} // namespace Tessera
