// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// Grants as a table: one Tab stop, Up/Down to move, Delete to revoke the current grant.
// Expiry counts down on Dashboard.now; nothing is re-queried for that.
// No "pragma ComponentBehavior: Bound" here: in Qt 6.4 it keeps a ListView's header from
// ever being created ("Component is not ready"). The delegate uses required properties anyway,
// and delegate and header reach the table through ListView.view, typed, not through root.
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
    // Dashboard.now, read once for every row. The 6.4 linter knows no qlonglong (later Qt
    // registers the 64-bit integers as builtins): the type check is off on this line only.
    readonly property real now: Dashboard.now // qmllint disable type

    signal revokeRequested(string grantId)

    function effectiveState(state, expiresAt) {
        return state === "active" && expiresAt > 0 && expiresAt <= root.now ? "expired" : state;
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
        // The table, typed: without ComponentBehavior Bound the linter cannot see root from here.
        readonly property GrantTable table: ListView.view as GrantTable
        readonly property string shownState: row.table.effectiveState(row.grantState, row.expiresAt)
        readonly property bool current: ListView.isCurrentItem

        Accessible.name: qsTr("%1 on %2: %3, %4").arg(row.clientName || row.clientId).arg(row.resourceName).arg(row.scopes.join(", ")).arg(stateBadge.text)
        Accessible.role: Accessible.Row
        Accessible.selected: row.current
        color: row.current ? Theme.rowSelected : hover.hovered ? Theme.rowHover : "transparent"
        implicitHeight: cells.implicitHeight + 2 * Theme.spacing
        objectName: "grantRow_" + row.grantId
        width: row.table.width

        HoverHandler {
            id: hover

        }
        TapHandler {
            onTapped: {
                row.table.currentIndex = row.index;
                row.table.forceActiveFocus();
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
                Layout.preferredWidth: row.table.colAgent
                Layout.minimumWidth: row.table.colAgent
                spacing: 0
                visible: row.table.showAgent

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
                    font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                    text: row.clientId
                }
            }
            ColumnLayout {
                Layout.preferredWidth: row.table.colResource
                Layout.minimumWidth: row.table.colResource
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
                    font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
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
                Layout.preferredWidth: row.table.colTime
                Layout.minimumWidth: row.table.colTime
                spacing: 0
                visible: row.table.wide

                PlainLabel {
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    text: Dashboard.formatDateTime(row.createdAt)
                }
            }
            ColumnLayout {
                Layout.preferredWidth: row.table.colTime
                Layout.minimumWidth: row.table.colTime
                spacing: 0

                PlainLabel {
                    Layout.fillWidth: true
                    color: row.shownState === "active" && row.expiresAt > 0 && row.expiresAt - row.table.now < 300 ? Theme.warning : Theme.palette.windowText
                    elide: Text.ElideRight
                    font.family: row.shownState === "active" && row.expiresAt > 0 && row.expiresAt - row.table.now < 3600 ? Theme.monospaceFamily : Theme.appFont.family
                    objectName: "expiresText"
                    text: row.shownState === "revoked" ? qsTr("revoked %1").arg(Dashboard.formatAgo(row.revokedAt)) : row.shownState === "expired" ? qsTr("expired") : row.expiresAt > 0 ? qsTr("in %1").arg(Dashboard.formatCountdown(row.expiresAt)) : qsTr("until revoked")
                }
                PlainLabel {
                    Layout.fillWidth: true
                    color: Theme.muted
                    elide: Text.ElideRight
                    font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                    text: row.expiresAt > 0 ? Dashboard.formatDateTime(row.expiresAt) : ""
                    visible: text.length > 0 && row.shownState !== "revoked"
                }
            }
            PlainLabel {
                Layout.preferredWidth: row.table.colTime
                Layout.minimumWidth: row.table.colTime
                elide: Text.ElideRight
                text: Dashboard.formatAgo(row.lastUsedAt)
                visible: row.table.wide
            }
            PlainLabel {
                Layout.preferredWidth: row.table.colUses
                Layout.minimumWidth: row.table.colUses
                horizontalAlignment: Text.AlignRight
                text: Dashboard.formatCount(row.useCount)
            }
            Item {
                Layout.preferredWidth: row.table.colState
                Layout.minimumWidth: row.table.colState
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
                Layout.preferredWidth: row.table.colAction
                Layout.minimumWidth: row.table.colAction
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

                    Accessible.onPressAction: if (revokeButton.enabled) row.table.revokeRequested(row.grantId)
                    onClicked: row.table.revokeRequested(row.grantId)
                }
            }
        }
    }
    header: Rectangle {
        id: headerBar

        readonly property GrantTable table: ListView.view as GrantTable

        color: Theme.palette.window
        implicitHeight: headerRow.implicitHeight + Theme.spacing
        width: headerBar.table.width
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
                Layout.preferredWidth: headerBar.table.colAgent
                Layout.minimumWidth: headerBar.table.colAgent
                color: Theme.muted
                font.bold: true
                text: qsTr("Agent")
                visible: headerBar.table.showAgent
            }
            PlainLabel {
                Layout.preferredWidth: headerBar.table.colResource
                Layout.minimumWidth: headerBar.table.colResource
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
                Layout.preferredWidth: headerBar.table.colTime
                Layout.minimumWidth: headerBar.table.colTime
                color: Theme.muted
                font.bold: true
                text: qsTr("Created")
                visible: headerBar.table.wide
            }
            PlainLabel {
                Layout.preferredWidth: headerBar.table.colTime
                Layout.minimumWidth: headerBar.table.colTime
                color: Theme.muted
                font.bold: true
                text: qsTr("Expires")
            }
            PlainLabel {
                Layout.preferredWidth: headerBar.table.colTime
                Layout.minimumWidth: headerBar.table.colTime
                color: Theme.muted
                font.bold: true
                text: qsTr("Last used")
                visible: headerBar.table.wide
            }
            PlainLabel {
                Layout.preferredWidth: headerBar.table.colUses
                Layout.minimumWidth: headerBar.table.colUses
                color: Theme.muted
                font.bold: true
                horizontalAlignment: Text.AlignRight
                text: qsTr("Uses")
            }
            PlainLabel {
                Layout.preferredWidth: headerBar.table.colState
                Layout.minimumWidth: headerBar.table.colState
                color: Theme.muted
                font.bold: true
                text: qsTr("State")
            }
            Item {
                Layout.preferredWidth: headerBar.table.colAction
                Layout.minimumWidth: headerBar.table.colAction
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
