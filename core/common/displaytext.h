// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringView>

namespace Tessera {

/**
 * @brief Text that did not come from the person, made safe to print in a terminal or to
 * show on one line (issue 9, class R1).
 *
 * Every character that could move the cursor, start an escape sequence, reorder text or
 * break a line is shown escaped instead: C0 controls and DEL as `\xNN` (tab, newline and
 * carriage return as `\t`, `\n`, `\r`), C1 controls (U+0080..U+009F), bidi controls
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), line and paragraph separators
 * (U+2028, U+2029), zero-width and invisible format characters (U+200B..U+200D, U+2060..U+2064,
 * U+FEFF), lone surrogates and non-characters as `\u{XXXX}`. A backslash is doubled, so an
 * escape in the output always means an escape. Everything else passes unchanged.
 */
[[nodiscard]] QString displaySafe(QStringView text);

/** @brief displaySafe() of UTF-8 bytes; invalid sequences are shown as `\xNN` per byte. */
[[nodiscard]] QString displaySafeUtf8(const QByteArray &bytes);

/** @brief Whether displaySafe() would change @p text. */
[[nodiscard]] bool needsEscaping(QStringView text);

} // namespace Tessera
