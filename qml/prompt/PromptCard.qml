// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import Tessera.Ui

// A framed group of facts with a heading and an optional badge beside it.
Rectangle {
    id: root

    default property alias content: column.data
    property alias badgeText: badge.text
    property alias badgeTone: badge.tone
    property alias title: heading.text

    border.color: Theme.cardBorder
    color: Theme.cardBackground
    implicitHeight: column.implicitHeight + 2 * Theme.spacingLarge
    radius: Theme.radius

    ColumnLayout {
        id: column

        anchors.left: parent.left
        anchors.margins: Theme.spacingLarge
        anchors.right: parent.right
        anchors.top: parent.top
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            PlainLabel {
                id: heading

                Accessible.role: Accessible.Heading
                Layout.alignment: Qt.AlignTop
                Layout.fillWidth: true
                font.bold: true
                wrapMode: Text.WordWrap
            }
            RiskBadge {
                id: badge

                Layout.alignment: Qt.AlignTop
                visible: badge.text !== ""
            }
        }
    }
}
