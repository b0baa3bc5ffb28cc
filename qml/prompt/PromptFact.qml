// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import Tessera.Ui

// "Key   value" on one row; the value wraps at word boundaries where it can, anywhere
// where it must (long URIs, paths), and is plain text.
RowLayout {
    id: root

    property alias key: keyLabel.text
    property bool monospace: false
    property alias value: valueLabel.text
    property alias valueColor: valueLabel.color
    property alias valueLabel: valueLabel

    Layout.fillWidth: true
    spacing: Theme.spacing

    PlainLabel {
        id: keyLabel

        Layout.alignment: Qt.AlignTop
        Layout.preferredWidth: 118
        color: Theme.muted
        wrapMode: Text.WordWrap
    }
    PlainLabel {
        id: valueLabel

        Accessible.name: keyLabel.text + " " + valueLabel.text
        Layout.fillWidth: true
        font.family: root.monospace ? Theme.monospaceFamily : keyLabel.font.family
        maximumLineCount: 6
        elide: Text.ElideRight
        wrapMode: Text.Wrap
    }
}
