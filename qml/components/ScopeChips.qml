// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import Tessera.Ui

// Scope names as small chips, on as many lines as they need (or one, elided by clipping).
Flow {
    id: root

    // QStringList of scope names
    property var scopes: []

    spacing: Theme.spacingSmall

    Repeater {
        model: root.scopes

        Rectangle {
            id: chip

            required property string modelData

            border.color: Theme.cardBorder
            color: Theme.cardBackground
            implicitHeight: text.implicitHeight + 4
            implicitWidth: Math.min(text.implicitWidth + 2 * Theme.spacing, root.width)
            radius: 3

            PlainLabel {
                id: text

                anchors.fill: parent
                anchors.leftMargin: Theme.spacing
                anchors.rightMargin: Theme.spacing
                elide: Text.ElideRight
                font.family: Theme.monospaceFamily
                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                text: chip.modelData
                verticalAlignment: Text.AlignVCenter
            }
        }
    }
}
