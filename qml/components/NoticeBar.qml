// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.Ui

// One line that reports the outcome of what the person just did: success or error.
// Our own text only; it never shows client-supplied text as rich text (plain label).
Rectangle {
    id: root

    // "good", "danger" or "warning"
    property string tone: "good"
    property alias text: label.text
    readonly property color toneColor: root.tone === "danger" ? Theme.danger : root.tone === "warning" ? Theme.warning : Theme.good

    function show(message, tone) {
        root.tone = tone || "good";
        label.text = message;
        hideTimer.restart();
    }

    Accessible.name: label.text
    Accessible.role: Accessible.AlertMessage
    border.color: toneColor
    border.width: 1
    color: root.tone === "danger" ? Theme.dangerTint : root.tone === "warning" ? Theme.warningTint : Theme.goodTint
    implicitHeight: row.implicitHeight + Theme.spacing * 2
    radius: Theme.radius
    visible: label.text.length > 0

    Timer {
        id: hideTimer

        interval: root.tone === "good" ? 8000 : 20000
        onTriggered: label.text = ""
    }
    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: Theme.spacing * 1.5
        anchors.rightMargin: Theme.spacingSmall
        spacing: Theme.spacing

        PlainLabel {
            id: label

            Layout.fillWidth: true
            objectName: "noticeText"
            wrapMode: Text.WordWrap
        }
        QQC2.ToolButton {
            Accessible.name: qsTr("Dismiss")
            focusPolicy: Qt.NoFocus
            text: "×"

            onClicked: label.text = ""
        }
    }
}
