// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// Grants as a table: one Tab stop, Up/Down to move, Delete to revoke the current grant.
// Expiry counts down on Dashboard.now; nothing is re-queried for that.
// No "pragma ComponentBehavior: Bound" here: in Qt 6.4 it keeps a ListView's header from
// ever being created ("Component is not ready"). The delegate uses required properties anyway.
ListView {
    id: root

    property bool showAgent: true
    // Fixed columns (minimum = preferred, in the header and every row alike, so they line up);
    // Scopes takes what is left. Below 1000 px the Created and Last used columns go.
    readonly property bool wide: width >= 1000
    readonly property int colAgent: 150
    readonly property int colResource: 150
    readonly property int colTime: 112
    readonly property int colUses: 44
    readonly property int colState: 76
    readonly property int colAction: 84

    signal revokeRequested(string grantId)

    function effectiveState(state, expiresAt) {
        return state === "active" && expiresAt > 0 && expiresAt <= Dashboard.now ? "expired" : state;
    }
    function updateVisibleRange() {
        if (!root.model || !root.headerItem)
            return;
        const first = root.indexAt(1, root.contentY + root.headerItem.height + 1);
        const last = root.indexAt(1, root.contentY + root.height - 1);
        root.model.setVisibleRange(first, last < 0 ? root.count - 1 : last);
    }

    Accessible.name: qsTr("Grants")
    Accessible.role: Accessible.Table
    activeFocusOnTab: true
    boundsBehavior: Flickable.StopAtBounds
    clip: true
    headerPositioning: ListView.OverlayHeader
    highlightMoveDuration: 0
    keyNavigationEnabled: true
    reuseItems: true

    QQC2.ScrollBar.vertical: QQC2.ScrollBar {
    }
    delegate: Rectangle {
        id: row

        required property string clientId
        required property string clientName
        required property real createdAt
        required property real expiresAt
        required property string grantId
        required property string grantState
        required property int index
        required property real lastUsedAt
        required property string resourceName
        required property string resourceUri
        required property real revokedAt
        required property string revokedReason
        required property var scopes
        required property real useCount
        readonly property string shownState: root.effectiveState(row.grantState, row.expiresAt)
        readonly property bool current: ListView.isCurrentItem

        Accessible.name: qsTr("%1 on %2: %3, %4").arg(row.clientName || row.clientId).arg(row.resourceName).arg(row.scopes.join(", ")).arg(stateBadge.text)
        Accessible.role: Accessible.Row
        Accessible.selected: row.current
        color: row.current ? Theme.rowSelected : hover.hovered ? Theme.rowHover : "transparent"
        implicitHeight: cells.implicitHeight + 2 * Theme.spacing
        objectName: "grantRow_" + row.grantId
        width: ListView.view.width

        HoverHandler {
            id: hover

        }
        TapHandler {
            onTapped: {
                root.currentIndex = row.index;
                root.forceActiveFocus();
            }
        }
        Rectangle {
            anchors.bottom: parent.bottom
            color: Theme.divider
            height: 1
            width: parent.width
        }
        RowLayout {
            id: cells

            anchors.left: parent.left
            anchors.leftMargin: Theme.spacing
            anchors.right: parent.right
            anchors.rightMargin: Theme.spacing
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.spacing

            ColumnLayout {
                Layout.preferredWidth: root.colAgent
                Layout.minimumWidth: root.colAgent
                spacing: 0
                visible: root.showAgent

                PlainLabel {
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    font.bold: true
                    text: row.clientName || row.clientId
                }
                PlainLabel {
                    Layout.fillWidth: true
                    color: Theme.muted
                    elide: Text.ElideMiddle
                    font.pointSize: Qt.application.font.pointSize * Theme.fontScaleSmall
                    text: row.clientId
                }
            }
            ColumnLayout {
                Layout.preferredWidth: root.colResource
                Layout.minimumWidth: root.colResource
                spacing: 0

                PlainLabel {
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    text: row.resourceName
                }
                PlainLabel {
                    Layout.fillWidth: true
                    color: Theme.muted
                    elide: Text.ElideMiddle
                    font.pointSize: Qt.application.font.pointSize * Theme.fontScaleSmall
                    text: row.resourceUri
                }
            }
            ScopeChips {
                Layout.fillWidth: true
                Layout.maximumHeight: implicitHeight
                Layout.minimumWidth: 100
                clip: true
                scopes: row.scopes
            }
            ColumnLayout {
                Layout.preferredWidth: root.colTime
                Layout.minimumWidth: root.colTime
                spacing: 0
                visible: root.wide

                PlainLabel {
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    text: Dashboard.formatDateTime(row.createdAt)
                }
            }
            ColumnLayout {
                Layout.preferredWidth: root.colTime
                Layout.minimumWidth: root.colTime
                spacing: 0

                PlainLabel {
                    Layout.fillWidth: true
                    color: row.shownState === "active" && row.expiresAt > 0 && row.expiresAt - Dashboard.now < 300 ? Theme.warning : Theme.palette.windowText
                    elide: Text.ElideRight
                    font.family: row.shownState === "active" && row.expiresAt > 0 && row.expiresAt - Dashboard.now < 3600 ? Theme.monospaceFamily : Qt.application.font.family
                    objectName: "expiresText"
                    text: row.shownState === "revoked" ? qsTr("revoked %1").arg(Dashboard.formatRelative(row.revokedAt)) : row.shownState === "expired" ? qsTr("expired") : row.expiresAt > 0 ? qsTr("in %1").arg(Dashboard.formatCountdown(row.expiresAt)) : qsTr("until revoked")
                }
                PlainLabel {
                    Layout.fillWidth: true
                    color: Theme.muted
                    elide: Text.ElideRight
                    font.pointSize: Qt.application.font.pointSize * Theme.fontScaleSmall
                    text: row.expiresAt > 0 ? Dashboard.formatDateTime(row.expiresAt) : ""
                    visible: text.length > 0 && row.shownState !== "revoked"
                }
            }
            PlainLabel {
                Layout.preferredWidth: root.colTime
                Layout.minimumWidth: root.colTime
                elide: Text.ElideRight
                text: Dashboard.formatRelative(row.lastUsedAt)
                visible: root.wide
            }
            PlainLabel {
                Layout.preferredWidth: root.colUses
                Layout.minimumWidth: root.colUses
                horizontalAlignment: Text.AlignRight
                text: Dashboard.formatCount(row.useCount)
            }
            Item {
                Layout.preferredWidth: root.colState
                Layout.minimumWidth: root.colState
                implicitHeight: stateBadge.implicitHeight

                RiskBadge {
                    id: stateBadge

                    QQC2.ToolTip.text: row.revokedReason
                    QQC2.ToolTip.visible: stateHover.hovered && row.revokedReason.length > 0
                    anchors.verticalCenter: parent.verticalCenter
                    objectName: "stateBadge"
                    text: row.shownState === "active" ? qsTr("Active") : row.shownState === "expired" ? qsTr("Expired") : qsTr("Revoked")
                    tone: row.shownState === "active" ? "good" : row.shownState === "revoked" ? "danger" : "muted"

                    HoverHandler {
                        id: stateHover

                    }
                }
            }
            Item {
                Layout.preferredWidth: root.colAction
                Layout.minimumWidth: root.colAction
                implicitHeight: revokeButton.implicitHeight

                QQC2.Button {
                    id: revokeButton

                    Accessible.name: qsTr("Revoke this grant")
                    QQC2.ToolTip.delay: 300
                    QQC2.ToolTip.text: Dashboard.revocationAvailable ? qsTr("Stop this grant now") : Dashboard.revocationUnavailableReason
                    QQC2.ToolTip.visible: hovered
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    enabled: Dashboard.revocationAvailable
                    // Keyboard users revoke the current row with Delete or the page's button.
                    focusPolicy: Qt.NoFocus
                    objectName: "revokeButton"
                    text: qsTr("Revoke")
                    visible: row.shownState !== "revoked"

                    Accessible.onPressAction: if (revokeButton.enabled) root.revokeRequested(row.grantId)
                    onClicked: root.revokeRequested(row.grantId)
                }
            }
        }
    }
    header: Rectangle {
        color: Theme.palette.window
        implicitHeight: headerRow.implicitHeight + Theme.spacing
        width: ListView.view.width
        z: 2

        Rectangle {
            anchors.bottom: parent.bottom
            color: Theme.divider
            height: 1
            width: parent.width
        }
        RowLayout {
            id: headerRow

            anchors.left: parent.left
            anchors.leftMargin: Theme.spacing
            anchors.right: parent.right
            anchors.rightMargin: Theme.spacing
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.spacing

            PlainLabel {
                Layout.preferredWidth: root.colAgent
                Layout.minimumWidth: root.colAgent
                color: Theme.muted
                font.bold: true
                text: qsTr("Agent")
                visible: root.showAgent
            }
            PlainLabel {
                Layout.preferredWidth: root.colResource
                Layout.minimumWidth: root.colResource
                color: Theme.muted
                font.bold: true
                text: qsTr("Resource")
            }
            PlainLabel {
                Layout.fillWidth: true
                Layout.minimumWidth: 100
                color: Theme.muted
                font.bold: true
                text: qsTr("Scopes")
            }
            PlainLabel {
                Layout.preferredWidth: root.colTime
                Layout.minimumWidth: root.colTime
                color: Theme.muted
                font.bold: true
                text: qsTr("Created")
                visible: root.wide
            }
            PlainLabel {
                Layout.preferredWidth: root.colTime
                Layout.minimumWidth: root.colTime
                color: Theme.muted
                font.bold: true
                text: qsTr("Expires")
            }
            PlainLabel {
                Layout.preferredWidth: root.colTime
                Layout.minimumWidth: root.colTime
                color: Theme.muted
                font.bold: true
                text: qsTr("Last used")
                visible: root.wide
            }
            PlainLabel {
                Layout.preferredWidth: root.colUses
                Layout.minimumWidth: root.colUses
                color: Theme.muted
                font.bold: true
                horizontalAlignment: Text.AlignRight
                text: qsTr("Uses")
            }
            PlainLabel {
                Layout.preferredWidth: root.colState
                Layout.minimumWidth: root.colState
                color: Theme.muted
                font.bold: true
                text: qsTr("State")
            }
            Item {
                Layout.preferredWidth: root.colAction
                Layout.minimumWidth: root.colAction
            }
        }
    }

    Keys.onDeletePressed: {
        const g = root.currentItem;
        if (g && g.shownState !== "revoked" && Dashboard.revocationAvailable)
            root.revokeRequested(g.grantId);
    }
    onContentYChanged: updateVisibleRange()
    onCountChanged: updateVisibleRange()
    onHeightChanged: updateVisibleRange()

    // The focus ring of the table as a whole.
    Rectangle {
        anchors.fill: parent
        border.color: Theme.focusRing
        border.width: 2
        color: "transparent"
        visible: root.activeFocus
        z: 3
    }
}
