// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

QQC2.ApplicationWindow {
    id: root

    function bringToFront() {
        root.show();
        root.raise();
        root.requestActivate();
    }

    height: 800
    minimumHeight: 480
    minimumWidth: 720
    title: StatusController.healthy ? qsTr("Tessera") : qsTr("Tessera — %1").arg(StatusController.statusLine)
    visible: true
    width: 1280

    footer: StatusBar {
    }

    Connections {
        function onWindowRequested() {
            root.bringToFront();
        }

        target: StatusController
    }

    ColumnLayout {
        anchors.centerIn: parent
        spacing: Theme.spacingLarge
        width: Math.min(parent.width - 2 * Theme.spacingLarge, 560)

        PlainLabel {
            Layout.fillWidth: true
            font.pointSize: root.font.pointSize * Theme.fontScaleTitle
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("Tessera")
        }
        PlainLabel {
            Layout.fillWidth: true
            color: Theme.muted
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("Agents ask here for access. Nothing has asked yet.")
            wrapMode: Text.WordWrap
        }
    }
}
