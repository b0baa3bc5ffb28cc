// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import Tessera.Ui

// What a list says when it has nothing to show, and why.
ColumnLayout {
    id: root

    property alias text: body.text
    property alias title: heading.text

    spacing: Theme.spacing

    PlainLabel {
        id: heading

        Layout.alignment: Qt.AlignHCenter
        Layout.maximumWidth: 480
        font.bold: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
    }
    PlainLabel {
        id: body

        Layout.alignment: Qt.AlignHCenter
        Layout.maximumWidth: 480
        color: Theme.muted
        horizontalAlignment: Text.AlignHCenter
        visible: text.length > 0
        wrapMode: Text.WordWrap
    }
}
