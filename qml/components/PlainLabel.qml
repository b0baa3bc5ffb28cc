// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2

// The only way client-supplied text reaches the screen: always plain text, never rich
// text or HTML, whatever a caller sets (security-cases G4; Nextcloud's EnforcedPlainTextLabel).
QQC2.Label {
    id: root

    textFormat: Text.PlainText
    onTextFormatChanged: if (root.textFormat !== Text.PlainText) root.textFormat = Text.PlainText
}
