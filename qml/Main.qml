// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// The dashboard: agents, grants, resources, activity, settings. The Freeze control sits in
// the header above every page; a banner spans the window while Tessera is frozen.
QQC2.ApplicationWindow {
    id: root

    property int currentPage: 0
    readonly property var pages: [
        {
            "key": "agents",
            "title": qsTr("Agents"),
            "hint": "Ctrl+1"
        },
        {
            "key": "grants",
            "title": qsTr("Grants"),
            "hint": "Ctrl+2"
        },
        {
            "key": "resources",
            "title": qsTr("Resources"),
            "hint": "Ctrl+3"
        },
        {
            "key": "activity",
            "title": qsTr("Activity"),
            "hint": "Ctrl+4"
        },
        {
            "key": "settings",
            "title": qsTr("Settings"),
            "hint": "Ctrl+5"
        }
    ]

    function bringToFront() {
        root.show();
        root.raise();
        root.requestActivate();
    }
    // For packaging/screenshots.sh and tools: the page keys showPage() accepts.
    function pageNames() {
        return root.pages.map(p => p.key);
    }
    function showPage(key) {
        for (let i = 0; i < root.pages.length; ++i) {
            if (root.pages[i].key === key) {
                root.currentPage = i;
                nav.currentIndex = i;
                return;
            }
        }
    }

    color: Theme.palette.window
    height: 800
    // The controls (toolbar, buttons, fields, menus and every dialog, which inherit the
    // window's palette) take their colours from the same system palette as the pages, so a
    // dark desktop gives a dark window throughout. Fusion in Qt 6.4 would otherwise keep the
    // platform theme's palette, which need not follow the application palette.
    palette.alternateBase: Theme.palette.alternateBase
    palette.base: Theme.palette.base
    palette.brightText: Theme.palette.highlightedText
    palette.button: Theme.palette.button
    palette.buttonText: Theme.palette.buttonText
    palette.dark: Theme.palette.dark
    palette.disabled.buttonText: Theme.disabledPalette.buttonText
    palette.disabled.text: Theme.disabledPalette.text
    palette.disabled.windowText: Theme.disabledPalette.windowText
    palette.highlight: Theme.palette.highlight
    palette.highlightedText: Theme.palette.highlightedText
    palette.light: Theme.palette.light
    palette.link: Theme.palette.highlight
    palette.mid: Theme.palette.mid
    palette.midlight: Theme.palette.midlight
    palette.placeholderText: Theme.palette.placeholderText
    palette.shadow: Theme.palette.shadow
    palette.text: Theme.palette.text
    palette.toolTipBase: Theme.palette.base
    palette.toolTipText: Theme.palette.text
    palette.window: Theme.palette.window
    palette.windowText: Theme.palette.windowText
    minimumHeight: 520
    minimumWidth: 900
    title: StatusController.frozen ? qsTr("Tessera — frozen") : StatusController.healthy ? qsTr("Tessera") : qsTr("Tessera — %1").arg(StatusController.statusLine)
    visible: true
    width: 1280

    footer: StatusBar {
    }
    header: ColumnLayout {
        spacing: 0

        QQC2.ToolBar {
            Layout.fillWidth: true
            leftPadding: Theme.spacingLarge
            rightPadding: Theme.spacingLarge

            RowLayout {
                anchors.fill: parent
                spacing: Theme.spacingLarge

                Image {
                    Accessible.ignored: true
                    Layout.preferredHeight: 22
                    Layout.preferredWidth: 22
                    source: "qrc:/icons/tessera.svg"
                    sourceSize.height: 44
                    sourceSize.width: 44
                }
                PlainLabel {
                    font.bold: true
                    font.pointSize: Theme.appFont.pointSize * 1.1
                    text: qsTr("Tessera")
                }
                PlainLabel {
                    Layout.fillWidth: true
                    color: Theme.muted
                    elide: Text.ElideRight
                    text: root.pages[root.currentPage].title
                }
                Rectangle {
                    Accessible.name: waitingLabel.text
                    Accessible.role: Accessible.StaticText
                    border.color: Theme.warning
                    color: Theme.warningTint
                    implicitHeight: waitingLabel.implicitHeight + 8
                    implicitWidth: waitingLabel.implicitWidth + 2 * Theme.spacingLarge
                    objectName: "pendingPill"
                    radius: height / 2
                    visible: StatusController.pendingCount > 0

                    PlainLabel {
                        id: waitingLabel

                        anchors.centerIn: parent
                        color: Theme.warning
                        font.bold: true
                        text: StatusController.pendingCount === 1 ? qsTr("1 request waiting for you") : qsTr("%1 requests waiting for you").arg(StatusController.pendingCount)
                    }
                }
                FreezeButton {
                    id: freezeButton

                }
            }
        }
        FrozenBanner {
            Layout.fillWidth: true
        }
        Rectangle {
            Layout.fillWidth: true
            color: Theme.divider
            implicitHeight: 1
        }
    }

    Connections {
        function onWindowRequested() {
            root.bringToFront();
        }

        target: StatusController
    }
    EnterPressesButton {
        focusItem: root.activeFocusItem
        objectName: "enterPressesButton"
    }
    Repeater {
        model: root.pages.length

        Item {
            id: shortcutHolder

            required property int index

            Shortcut {
                context: Qt.ApplicationShortcut
                sequence: "Ctrl+" + (shortcutHolder.index + 1)

                onActivated: root.showPage(root.pages[shortcutHolder.index].key)
            }
        }
    }
    RowLayout {
        anchors.fill: parent
        spacing: 0

        Rectangle {
            Layout.fillHeight: true
            Layout.preferredWidth: Theme.navWidth
            color: Theme.palette.window

            NavRail {
                id: nav

                anchors.fill: parent
                anchors.margins: Theme.spacing
                entries: root.pages
                focus: true

                onActivated: index => root.currentPage = index
            }
        }
        Rectangle {
            Layout.fillHeight: true
            color: Theme.divider
            implicitWidth: 1
        }
        StackLayout {
            id: stack

            Layout.fillHeight: true
            Layout.fillWidth: true
            currentIndex: root.currentPage

            AgentsPage {
                active: root.visible && stack.currentIndex === 0

                onShowGrants: clientId => {
                    grantsPage.showAgent(clientId);
                    root.showPage("grants");
                }
            }
            GrantsPage {
                id: grantsPage

                active: root.visible && stack.currentIndex === 1
            }
            ResourcesPage {
                active: root.visible && stack.currentIndex === 2
            }
            ActivityPage {
                active: root.visible && stack.currentIndex === 3
            }
            SettingsPage {
                active: root.visible && stack.currentIndex === 4
            }
        }
    }
}
