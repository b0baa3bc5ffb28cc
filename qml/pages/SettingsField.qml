// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import Tessera.Ui

// One setting: its name on the left, the control(s) on the right, a line of help below.
GridLayout {
    id: root

    default property alias controls: controlRow.data
    property alias help: helpLabel.text
    property alias helpColor: helpLabel.color
    property alias label: name.text

    columnSpacing: Theme.spacingLarge
    columns: 2
    rowSpacing: 2

    PlainLabel {
        id: name

        Layout.alignment: Qt.AlignVCenter
        Layout.preferredWidth: 180
        font.bold: true
        wrapMode: Text.WordWrap
    }
    RowLayout {
        id: controlRow

        Layout.fillWidth: true
        spacing: Theme.spacing
    }
    Item {
        implicitWidth: 1
        visible: helpLabel.visible
    }
    PlainLabel {
        id: helpLabel

        Layout.fillWidth: true
        color: Theme.muted
        font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
        visible: text.length > 0
        wrapMode: Text.WordWrap
    }
}
