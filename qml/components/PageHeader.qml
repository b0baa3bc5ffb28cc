// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import Tessera.Ui

// Title, one line of explanation, and the page's actions on the right.
RowLayout {
    id: root

    default property alias actions: actionRow.data
    property alias subtitle: subtitleLabel.text
    property alias title: titleLabel.text

    spacing: Theme.spacingLarge

    ColumnLayout {
        Layout.fillWidth: true
        spacing: 2

        PlainLabel {
            id: titleLabel

            Accessible.role: Accessible.Heading
            Layout.fillWidth: true
            elide: Text.ElideRight
            font.bold: true
            font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSection
        }
        PlainLabel {
            id: subtitleLabel

            Layout.fillWidth: true
            color: Theme.muted
            visible: text.length > 0
            wrapMode: Text.WordWrap
        }
    }
    RowLayout {
        id: actionRow

        Layout.alignment: Qt.AlignRight | Qt.AlignVCenter
        spacing: Theme.spacing
    }
}
