// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
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
    // One width for the dialog and its text, from the parent alone: binding the text to the
    // popup's availableWidth re-enters the popup's layout when the parent resizes (the text
    // re-wraps, implicitHeight changes while the popup is still positioning itself: a loop).
    readonly property real dialogWidth: Math.min(520, (parent ? parent.width : 520) - 2 * Theme.spacingLarge)

    width: dialogWidth

    header: PlainLabel {
        bottomPadding: 0
        elide: Text.ElideRight
        font.bold: true
        font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSection
        padding: Theme.spacingXLarge
        text: root.title
    }
    footer: QQC2.DialogButtonBox {
        QQC2.Button {
            id: cancelButton

            QQC2.DialogButtonBox.buttonRole: QQC2.Dialog.RejectRole
            text: qsTr("Cancel")
        }
        QQC2.Button {
            id: confirmButton

            QQC2.DialogButtonBox.buttonRole: QQC2.Dialog.AcceptRole
            objectName: "confirmButton"
            palette.button: Theme.danger
            palette.buttonText: "#ffffff"
        }
    }

    onAccepted: root.confirmed()
    onOpened: cancelButton.forceActiveFocus()

    EnterPressesButton {
        focusItem: body.Window.activeFocusItem
    }
    PlainLabel {
        id: body

        width: Math.max(0, root.dialogWidth - root.leftPadding - root.rightPadding)
        wrapMode: Text.WordWrap
    }
}
