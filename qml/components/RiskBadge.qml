// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import Tessera.Ui

// A small pill that labels something: "High risk", "Not verified", "Verified".
// Its text is always ours, never the client's.
Rectangle {
    id: root

    property alias text: label.text
    // "danger", "warning", "good" or "muted"
    property string tone: "muted"
    readonly property color toneColor: root.tone === "danger" ? Theme.danger : root.tone === "warning" ? Theme.warning : root.tone === "good" ? Theme.good : Theme.muted

    Accessible.name: label.text
    Accessible.role: Accessible.StaticText
    border.color: root.toneColor
    border.width: 1
    color: Qt.rgba(root.toneColor.r, root.toneColor.g, root.toneColor.b, Theme.dark ? 0.22 : 0.12)
    implicitHeight: label.implicitHeight + 4
    implicitWidth: label.implicitWidth + 2 * Theme.spacing
    radius: height / 2

    PlainLabel {
        id: label

        anchors.centerIn: parent
        color: root.toneColor
        font.bold: true
        font.pointSize: Math.max(7, Theme.appFont.pointSize * 0.8)
    }
}
