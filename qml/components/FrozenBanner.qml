// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// Across the whole window while Tessera is frozen: what it means, and the way out.
Rectangle {
    id: root

    Accessible.name: title.text + " " + body.text
    Accessible.role: Accessible.AlertMessage
    color: Theme.frozen
    implicitHeight: row.implicitHeight + 2 * Theme.spacing
    objectName: "frozenBanner"
    visible: StatusController.frozen

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacingLarge
        spacing: Theme.spacingLarge

        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2

            PlainLabel {
                id: title

                color: Theme.frozenInk
                font.bold: true
                text: qsTr("Tessera is frozen")
            }
            PlainLabel {
                id: body

                Layout.fillWidth: true
                color: Theme.frozenInk
                // R11: exact about what a freeze cannot stop (JWTs checked by the server itself).
                text: qsTr("No token is issued or refreshed, and Tessera's own checks refuse every token; waiting requests were denied and new ones are refused. Grants are kept and work again when you unfreeze.") + " " + (StatusController.lastTokenExpiry.length > 0 ? qsTr("Access tokens already issued keep working at servers that check them themselves until %1.").arg(StatusController.lastTokenExpiry) : qsTr("No access token issued earlier is still valid."))
                wrapMode: Text.WordWrap
            }
        }
        QQC2.Button {
            Accessible.name: qsTr("Unfreeze")
            objectName: "bannerUnfreeze"
            text: qsTr("Unfreeze")

            Accessible.onPressAction: StatusController.setFrozen(false)
            onClicked: StatusController.setFrozen(false)
        }
    }
}
