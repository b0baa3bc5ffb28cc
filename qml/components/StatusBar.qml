// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// One line that says whether Tessera is working, and where; plus the two states nobody may
// miss: frozen, and an audit chain that failed verification.
QQC2.ToolBar {
    id: root

    implicitHeight: Theme.statusBarHeight
    position: QQC2.ToolBar.Footer

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.spacing
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        Rectangle {
            Accessible.ignored: true
            Layout.alignment: Qt.AlignVCenter
            color: StatusController.frozen ? Theme.frozen : StatusController.healthy ? Theme.good : Theme.danger
            implicitHeight: 10
            implicitWidth: 10
            radius: 5
        }
        PlainLabel {
            Accessible.name: qsTr("Status: %1").arg(text)
            Layout.fillWidth: true
            elide: Text.ElideRight
            objectName: "statusLine"
            text: StatusController.frozen ? qsTr("Frozen: no tokens, every request refused") : StatusController.statusLine
        }
        PlainLabel {
            Accessible.name: text
            color: Theme.danger
            font.bold: true
            objectName: "chainBroken"
            text: qsTr("Audit chain broken")
            visible: Dashboard.chainState === "broken"
        }
        PlainLabel {
            color: Theme.muted
            text: StatusController.issuer
        }
    }
}
