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

/** @brief Whether displaySafe() escapes the code point @p c (the backslash aside). */
[[nodiscard]] bool isUnsafeForDisplay(char32_t c);

/**
 * @brief Characters that look like '/' in most fonts: U+0337, U+0338 (combining solidus
 * overlays), U+1735, U+2044 FRACTION SLASH, U+2215 DIVISION SLASH, U+2571, U+27CB, U+29F8 BIG
 * SOLIDUS, U+2AFB, U+FF0F FULLWIDTH SOLIDUS. In an executable path one fakes a directory
 * ("/tmp/x/usr\u{2215}bin\u{2215}claude" reads as /usr/bin/claude).
 */
[[nodiscard]] bool isLookalikeSlash(char32_t c);
/** @brief Whether @p text holds a look-alike slash (see isLookalikeSlash()). */
[[nodiscard]] bool hasLookalikeSlash(QStringView text);

/**
 * @brief displaySafe() for a file path: look-alike slashes are shown escaped as well
 * (`\u{2215}`), so that only a real '/' separates directories on screen.
 */
[[nodiscard]] QString displaySafePath(QStringView path);

/**
 * @brief Serialized JSON (UTF-8, as QJsonDocument::toJson() writes it) with every code point
 * that displaySafe() would escape and that JSON allows raw (DEL, C1, bidi controls, U+2028,
 * U+2029, zero-width and other invisible characters, non-characters, tags) written as a
 * `\uXXXX` escape (a surrogate pair above U+FFFF; RFC 8259 §7). Such characters occur only
 * inside strings, so the result is valid JSON that parses to exactly the same value, and a
 * consumer that prints a field raw cannot emit them. Bytes that are not UTF-8 are kept.
 */
[[nodiscard]] QByteArray jsonDisplaySafe(const QByteArray &json);

} // namespace Tessera
