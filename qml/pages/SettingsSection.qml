// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import Tessera.Ui

// A titled group of settings on a card.
ColumnLayout {
    id: root

    default property alias fields: body.data
    property alias title: heading.text

    spacing: Theme.spacing

    PlainLabel {
        id: heading

        Accessible.role: Accessible.Heading
        font.bold: true
        font.pointSize: Theme.appFont.pointSize * 1.05
    }
    Rectangle {
        Layout.fillWidth: true
        border.color: Theme.divider
        color: Theme.surface
        implicitHeight: body.implicitHeight + 2 * Theme.spacingLarge
        radius: Theme.radius

        ColumnLayout {
            id: body

            anchors.left: parent.left
            anchors.margins: Theme.spacingLarge
            anchors.right: parent.right
            anchors.top: parent.top
            spacing: Theme.spacingLarge
        }
    }
}
