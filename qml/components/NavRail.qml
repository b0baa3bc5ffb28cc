// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.Ui

// The page list on the left. One Tab stop; Up/Down move, Enter or Space opens (and
// Ctrl+1…5 from anywhere, see Main.qml).
ListView {
    id: root

    // [{key, title, hint, shortcut}]
    property var entries: []

    signal activated(int index)

    Accessible.name: qsTr("Pages")
    Accessible.role: Accessible.List
    activeFocusOnTab: true
    boundsBehavior: Flickable.StopAtBounds
    clip: true
    implicitWidth: Theme.navWidth
    keyNavigationEnabled: true
    model: root.entries
    objectName: "navRail"
    spacing: 2

    delegate: QQC2.ItemDelegate {
        id: item

        required property var modelData
        required property int index
        readonly property bool current: ListView.isCurrentItem

        Accessible.name: item.modelData.title
        Accessible.role: Accessible.PageTab
        Accessible.selected: item.current
        focusPolicy: Qt.NoFocus
        highlighted: item.current
        objectName: "nav_" + item.modelData.key
        width: ListView.view.width

        background: Rectangle {
            color: item.current ? Theme.rowSelected : item.hovered ? Theme.rowHover : "transparent"
            radius: Theme.radius

            Rectangle {
                anchors.bottom: parent.bottom
                anchors.left: parent.left
                anchors.top: parent.top
                anchors.margins: 6
                color: Theme.palette.highlight
                radius: 2
                visible: item.current
                width: 3
            }
            Rectangle {
                anchors.fill: parent
                border.color: Theme.focusRing
                border.width: 2
                color: "transparent"
                radius: Theme.radius
                visible: item.current && root.activeFocus
            }
        }
        contentItem: RowLayout {
            spacing: Theme.spacing

            PlainLabel {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.spacing
                elide: Text.ElideRight
                font.bold: item.current
                text: item.modelData.title
            }
            PlainLabel {
                color: Theme.muted
                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                text: item.modelData.hint || ""
                visible: text.length > 0
            }
        }

        onClicked: {
            root.currentIndex = item.index;
            root.activated(item.index);
        }
    }

    Keys.onReturnPressed: root.activated(root.currentIndex)
    Keys.onSpacePressed: root.activated(root.currentIndex)
    onCurrentIndexChanged: if (activeFocus) root.activated(currentIndex)
}
