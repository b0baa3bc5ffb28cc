// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// "Label   value" in a detail pane. The value is plain text (it may be client-supplied);
// a note under it says where the value comes from when that matters (self-asserted, verified).
GridLayout {
    id: root

    property bool copyable: false
    property alias label: key.text
    property bool monospace: false
    property alias note: noteLabel.text
    property color noteColor: Theme.muted
    property alias value: valueLabel.text

    columnSpacing: Theme.spacingLarge
    columns: 2
    rowSpacing: 2

    PlainLabel {
        id: key

        Layout.alignment: Qt.AlignTop
        Layout.preferredWidth: 130
        color: Theme.muted
        elide: Text.ElideRight
    }
    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacingSmall

        PlainLabel {
            id: valueLabel

            Accessible.name: key.text + ": " + text
            Layout.fillWidth: true
            font.family: root.monospace ? Theme.monospaceFamily : Theme.appFont.family
            wrapMode: Text.WrapAnywhere
        }
        QQC2.ToolButton {
            Accessible.name: qsTr("Copy %1").arg(key.text)
            QQC2.ToolTip.text: qsTr("Copy")
            QQC2.ToolTip.visible: hovered
            focusPolicy: Qt.TabFocus
            text: qsTr("Copy")
            visible: root.copyable && valueLabel.text.length > 0

            Accessible.onPressAction: Dashboard.copyText(valueLabel.text)
            onClicked: Dashboard.copyText(valueLabel.text)
        }
    }
    Item {
        implicitWidth: 1
        visible: noteLabel.visible
    }
    PlainLabel {
        id: noteLabel

        Layout.fillWidth: true
        color: root.noteColor
        font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
        visible: text.length > 0
        wrapMode: Text.WordWrap
    }
}
