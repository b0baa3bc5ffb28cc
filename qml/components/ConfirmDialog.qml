// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.Ui

// Asks before something that cannot be undone. Cancel has the focus; Escape cancels.
QQC2.Dialog {
    id: root

    property alias confirmText: confirmButton.text
    property alias message: body.text

    signal confirmed

    anchors.centerIn: QQC2.Overlay.overlay
    focus: true
    leftPadding: Theme.spacingXLarge
    modal: true
    rightPadding: Theme.spacingXLarge
    width: Math.min(520, (parent ? parent.width : 520) - 2 * Theme.spacingLarge)

    header: PlainLabel {
        bottomPadding: 0
        elide: Text.ElideRight
        font.bold: true
        font.pointSize: Qt.application.font.pointSize * Theme.fontScaleSection
        padding: Theme.spacingXLarge
        text: root.title
    }
    footer: QQC2.DialogButtonBox {
        QQC2.Button {
            id: cancelButton

            QQC2.DialogButtonBox.buttonRole: QQC2.DialogButtonBox.RejectRole
            text: qsTr("Cancel")
        }
        QQC2.Button {
            id: confirmButton

            QQC2.DialogButtonBox.buttonRole: QQC2.DialogButtonBox.AcceptRole
            objectName: "confirmButton"
            palette.button: Theme.danger
            palette.buttonText: "#ffffff"
        }
    }

    onAccepted: root.confirmed()
    onOpened: cancelButton.forceActiveFocus()

    PlainLabel {
        id: body

        // A width from the dialog, not anchors to the content item: wrapping text anchored to a
        // popup's content item feeds its height back into the popup's implicit size (a loop).
        width: root.availableWidth
        wrapMode: Text.WordWrap
    }
}
