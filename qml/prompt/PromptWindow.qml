// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import QtQuick.Window
import Tessera.App
import Tessera.Ui

// The consent prompt: a top-level window of its own, shown, raised and activated when a
// request arrives (ConsentController.promptRequested). Safety (security-cases G1, G2, G4, G7):
// - Approve works only once the window has been visible and active for a moment; the
//   controller enforces that in C++ whatever calls approve(); this window only mirrors it.
// - Enter and Space never approve: Approve takes no keyboard focus; Alt+A is its shortcut,
//   gated the same way. Enter means Deny, the default button. Escape and closing deny.
// - Focus starts on Deny; client-supplied text is plain text only (PlainLabel).
QQC2.ApplicationWindow {
    id: root

    readonly property var titles: ({
            "authorize": qsTr("An agent asks for access"),
            "token": qsTr("A program asks for an access token"),
            "secret": qsTr("A program asks for a secret"),
            "exec": qsTr("A program asks to start with a secret")
        })

    function approve() {
        ConsentController.approve(durationBox.currentValue);
    }
    function bringToFront() {
        if (!ConsentController.hasRequest)
            return;
        root.show();
        root.raise();
        root.requestActivate();
        denyButton.forceActiveFocus(Qt.ActiveWindowFocusReason);
    }
    function countdownText(secs) {
        const m = Math.floor(secs / 60);
        const s = secs % 60;
        return qsTr("Denied automatically in %1:%2").arg(m).arg(s < 10 ? "0" + s : s);
    }
    function reportState() {
        ConsentController.setWindowState(root.visible, root.active);
    }
    function resetChoices() {
        durationBox.currentIndex = Math.max(0, durationBox.indexOfValue(ConsentController.defaultDuration));
        denyButton.forceActiveFocus(Qt.OtherFocusReason);
        content.contentY = 0;
    }

    objectName: "promptWindow"
    color: Theme.palette.window
    height: Math.min(780, Screen.desktopAvailableHeight - 40)
    minimumHeight: 480
    minimumWidth: 520
    // As in Main.qml: Qt 6.4's controls keep the platform theme's palette and ignore the
    // application's, so the buttons, checkboxes and the duration box take theirs, normal
    // and disabled, from the same system palette as the rest of the prompt (dark on a
    // dark desktop).
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
    title: qsTr("Tessera: access request")
    visible: false
    width: 640

    Component.onCompleted: {
        root.resetChoices();
        root.reportState();
    }
    Component.onDestruction: ConsentController.setWindowState(false, false)
    onActiveChanged: root.reportState()
    onClosing: close => {
        // Closing the window answers no (G7); with more waiting, the next one shows.
        if (ConsentController.hasRequest) {
            ConsentController.deny();
            close.accepted = !ConsentController.hasRequest;
        }
    }
    onVisibleChanged: root.reportState()

    Connections {
        function onCurrentChanged() {
            if (ConsentController.hasRequest)
                root.resetChoices();
            else
                root.hide();
        }
        function onPromptRequested() {
            root.bringToFront();
        }

        target: ConsentController
    }
    Shortcut {
        context: Qt.WindowShortcut
        sequences: ["Escape"]

        onActivated: ConsentController.deny()
    }
    Shortcut {
        context: Qt.WindowShortcut
        enabled: ConsentController.canApprove
        sequences: ["Alt+A"]

        onActivated: root.approve()
    }
    FocusScope {
        id: keys

        anchors.fill: parent
        focus: true

        // Enter is the default button's key, and the default button is Deny. During the
        // Approve delay it does nothing, so a keystroke meant for another window is lost, not an answer.
        Keys.onEnterPressed: event => {
            if (ConsentController.armed)
                ConsentController.deny();
        }
        Keys.onReturnPressed: event => {
            if (ConsentController.armed)
                ConsentController.deny();
        }

        ColumnLayout {
            anchors.fill: parent
            spacing: 0

            // Header: what kind of request, how many, how long it waits.
            Rectangle {
                Layout.fillWidth: true
                color: Theme.cardBackground
                implicitHeight: headerLayout.implicitHeight + 2 * Theme.spacingLarge

                ColumnLayout {
                    id: headerLayout

                    anchors.left: parent.left
                    anchors.margins: Theme.spacingLarge
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    spacing: Theme.spacing / 2

                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.spacing

                        PlainLabel {
                            Accessible.role: Accessible.Heading
                            Layout.fillWidth: true
                            font.bold: true
                            font.pointSize: root.font.pointSize * 1.4
                            text: root.titles[ConsentController.path] ?? qsTr("A request waits for you")
                            wrapMode: Text.WordWrap
                        }
                        PlainLabel {
                            objectName: "countdown"
                            Layout.alignment: Qt.AlignTop
                            color: ConsentController.secondsLeft <= 15 ? Theme.danger : Theme.muted
                            text: root.countdownText(ConsentController.secondsLeft)
                        }
                    }
                    PlainLabel {
                        objectName: "positionLabel"
                        Layout.fillWidth: true
                        color: Theme.muted
                        text: ConsentController.count > 1 ? qsTr("Request %1 of %2 · %3").arg(ConsentController.position).arg(ConsentController.count).arg(ConsentController.pathLabel) : ConsentController.pathLabel
                        wrapMode: Text.WordWrap
                    }
                    PlainLabel {
                        objectName: "mergedLabel"
                        Layout.fillWidth: true
                        color: Theme.warning
                        text: qsTr("Asked %1 times; one answer covers all of them (“Only this once” answers the newest only).").arg(ConsentController.mergedCount)
                        visible: ConsentController.mergedCount > 1
                        wrapMode: Text.WordWrap
                    }
                }
            }
            Rectangle {
                Layout.fillWidth: true
                color: Theme.cardBorder
                implicitHeight: 1
            }
            QQC2.ScrollView {
                id: scroll

                Layout.fillHeight: true
                Layout.fillWidth: true
                // Always shown when there is more below: the permissions must not hide under the fold.
                QQC2.ScrollBar.vertical.policy: content.contentHeight > content.height ? QQC2.ScrollBar.AlwaysOn : QQC2.ScrollBar.AsNeeded

                Flickable {
                    id: content

                    objectName: "promptContent"
                    // R12: Approve stays disarmed until every requested permission has been
                    // inside the visible area (ConsentController.markRequestSeen()).
                    function reportSeen() {
                        if (!ConsentController.hasRequest || height <= 0)
                            return;
                        const bottom = asked.askedBottom(contentItem);
                        if (bottom >= 0 && contentY + height >= bottom - 1)
                            ConsentController.markRequestSeen();
                    }

                    boundsBehavior: Flickable.StopAtBounds
                    clip: true
                    contentHeight: body.implicitHeight
                    contentWidth: width

                    // Judged after each frame: what was drawn is what the person could see,
                    // and layouts are settled by then.
                    Connections {
                        function onFrameSwapped() {
                            content.reportSeen();
                        }

                        target: root
                    }

                    ColumnLayout {
                        id: body

                        spacing: Theme.spacingLarge
                        width: content.width

                        Item {
                            implicitHeight: Theme.spacing
                        }
                        Rectangle {
                            objectName: "warnings"
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingLarge
                            Layout.rightMargin: Theme.spacingLarge
                            border.color: Theme.warning
                            color: Theme.warningTint
                            implicitHeight: warningLayout.implicitHeight + 2 * Theme.spacing + 4
                            radius: Theme.radius
                            visible: ConsentController.warnings.length > 0

                            ColumnLayout {
                                id: warningLayout

                                anchors.left: parent.left
                                anchors.margins: Theme.spacing + 4
                                anchors.right: parent.right
                                anchors.top: parent.top
                                spacing: Theme.spacing / 2

                                PlainLabel {
                                    Accessible.role: Accessible.Heading
                                    Layout.fillWidth: true
                                    color: Theme.warning
                                    font.bold: true
                                    text: qsTr("Check before you approve")
                                }
                                Repeater {
                                    model: ConsentController.warnings

                                    delegate: PlainLabel {
                                        required property string modelData

                                        Layout.fillWidth: true
                                        text: "• " + modelData
                                        wrapMode: Text.WordWrap
                                    }
                                }
                            }
                        }
                        // R12: what is asked comes first, the requester's facts after it.
                        PromptScopes {
                            id: asked

                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingLarge
                            Layout.rightMargin: Theme.spacingLarge
                        }
                        PromptRequester {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingLarge
                            Layout.rightMargin: Theme.spacingLarge
                        }
                        RowLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingLarge
                            Layout.rightMargin: Theme.spacingLarge
                            spacing: Theme.spacing

                            PlainLabel {
                                text: qsTr("For how long")
                            }
                            QQC2.ComboBox {
                                id: durationBox

                                objectName: "durationBox"
                                Accessible.name: qsTr("For how long")
                                Layout.minimumWidth: 200
                                model: ConsentController.durations
                                textRole: "label"
                                valueRole: "key"
                            }
                            Item {
                                Layout.fillWidth: true
                            }
                        }
                        PromptQueue {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingLarge
                            Layout.rightMargin: Theme.spacingLarge
                        }
                        Item {
                            implicitHeight: Theme.spacing
                        }
                    }
                }
            }
            Rectangle {
                Layout.fillWidth: true
                color: Theme.cardBorder
                implicitHeight: 1
            }
            // Footer: the answers. Approve is rightmost and never has keyboard focus.
            ColumnLayout {
                Layout.fillWidth: true
                Layout.margins: Theme.spacingLarge
                spacing: Theme.spacing

                PlainLabel {
                    objectName: "errorLabel"
                    Layout.fillWidth: true
                    color: Theme.danger
                    text: ConsentController.lastError
                    visible: text !== ""
                    wrapMode: Text.WordWrap
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    PlainLabel {
                        objectName: "approveHint"
                        Layout.fillWidth: true
                        color: Theme.muted
                        text: ConsentController.armed ? qsTr("Alt+A approves · Esc denies") : !ConsentController.requestSeen ? qsTr("Scroll down: Approve unlocks once every permission asked for has been on screen.") : qsTr("Approve unlocks when this window has been in front for a moment.")
                        wrapMode: Text.WordWrap
                    }
                    QQC2.Button {
                        id: denyButton

                        objectName: "denyButton"
                        Accessible.name: qsTr("Deny")
                        Layout.minimumWidth: 110
                        text: qsTr("Deny")

                        // Qt 6.4 Controls buttons have no press action of their own for assistive tools.
                        Accessible.onPressAction: ConsentController.deny()
                        onClicked: ConsentController.deny()
                    }
                    QQC2.Button {
                        id: approveButton

                        objectName: "approveButton"
                        Accessible.description: qsTr("Shortcut Alt+A. Works once the window has been in front for a moment.")
                        Accessible.name: qsTr("Approve")
                        Layout.minimumWidth: 110
                        enabled: ConsentController.canApprove
                        focusPolicy: Qt.NoFocus
                        text: qsTr("Approve")

                        // Fires even while the button is disabled (Qt 6.4): approve() refuses
                        // in C++ until the delay has passed, so this is no way around it.
                        Accessible.onPressAction: root.approve()
                        onClicked: root.approve()
                    }
                }
            }
        }
    }
}
