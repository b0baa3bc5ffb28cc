// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// Every agent: how it registered, what it claims, what Tessera verified, which programs acted
// for it, and its grants. Revoke everything of one agent, or forget it.
FocusScope {
    id: root

    property bool active: false
    property int revision: 0
    readonly property var selected: root.revision >= 0 && list.currentIndex >= 0 && list.currentIndex < agents.count ? agents.get(list.currentIndex) : null
    readonly property alias model: agents

    signal showGrants(string clientId)

    function activeText(n) {
        return n === 0 ? qsTr("no active grants") : n === 1 ? qsTr("1 active grant") : qsTr("%1 active grants").arg(n);
    }
    function revokeAll(clientId) {
        const n = agents.revokeAll(clientId);
        if (n < 0) {
            notice.show(agents.lastError, "danger");
            return false;
        }
        notice.show((n === 1 ? qsTr("Revoked 1 grant.") : qsTr("Revoked %1 grants.").arg(n)) + " " + qsTr("The agent's refresh tokens stopped working; it has to ask again."), "good");
        return true;
    }
    function forget(clientId) {
        if (!agents.forget(clientId)) {
            notice.show(agents.lastError, "danger");
            return false;
        }
        notice.show(qsTr("Agent forgotten. Its grants were revoked; if it comes back it registers anew and asks again."), "good");
        return true;
    }

    objectName: "agentsPage"

    AgentListModel {
        id: agents

        autoRefresh: root.active
    }
    Connections {
        function onDataChanged() {
            root.revision++;
        }
        function onModelReset() {
            root.revision++;
        }

        target: agents
    }
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingXLarge
        spacing: Theme.spacingLarge

        PageHeader {
            Layout.fillWidth: true
            subtitle: qsTr("Programs that asked for access. A name is what the agent says about itself; what Tessera verified is shown apart.")
            title: qsTr("Agents")
        }
        NoticeBar {
            id: notice

            Layout.fillWidth: true
        }
        NoticeBar {
            Layout.fillWidth: true
            text: Dashboard.revocationAvailable ? "" : Dashboard.revocationUnavailableReason
            tone: "warning"
        }
        RowLayout {
            Layout.fillHeight: true
            Layout.fillWidth: true
            spacing: Theme.spacingLarge

            Rectangle {
                Layout.fillHeight: true
                Layout.preferredWidth: Math.min(340, root.width * 0.34)
                // The side column keeps its width; a wide detail pane must not squeeze it away.
                Layout.minimumWidth: Math.min(340, root.width * 0.34)
                border.color: Theme.divider
                color: Theme.surface
                radius: Theme.radius

                ListView {
                    id: list

                    Accessible.name: qsTr("Agents")
                    Accessible.role: Accessible.List
                    activeFocusOnTab: true
                    anchors.fill: parent
                    anchors.margins: 1
                    boundsBehavior: Flickable.StopAtBounds
                    clip: true
                    focus: true
                    highlightMoveDuration: 0
                    keyNavigationEnabled: true
                    model: agents
                    objectName: "agentList"

                    QQC2.ScrollBar.vertical: QQC2.ScrollBar {
                    }
                    delegate: Rectangle {
                        id: agentRow

                        required property real activeGrants
                        required property string clientId
                        required property int index
                        required property string kind
                        required property real lastSeenAt
                        required property real createdAt
                        required property string name
                        required property bool nameSelfAsserted
                        readonly property bool current: ListView.isCurrentItem

                        Accessible.name: (agentRow.name || agentRow.clientId) + ", " + root.activeText(agentRow.activeGrants)
                        Accessible.role: Accessible.ListItem
                        Accessible.selected: agentRow.current
                        color: agentRow.current ? Theme.rowSelected : agentHover.hovered ? Theme.rowHover : "transparent"
                        implicitHeight: agentColumn.implicitHeight + 2 * Theme.spacing
                        objectName: "agentRow_" + agentRow.index
                        width: ListView.view.width

                        HoverHandler {
                            id: agentHover

                        }
                        TapHandler {
                            onTapped: {
                                list.currentIndex = agentRow.index;
                                list.forceActiveFocus();
                            }
                        }
                        Rectangle {
                            anchors.bottom: parent.bottom
                            color: Theme.divider
                            height: 1
                            width: parent.width
                        }
                        ColumnLayout {
                            id: agentColumn

                            anchors.left: parent.left
                            anchors.margins: Theme.spacing * 1.5
                            anchors.right: parent.right
                            anchors.verticalCenter: parent.verticalCenter
                            spacing: 2

                            RowLayout {
                                Layout.fillWidth: true
                                spacing: Theme.spacing

                                PlainLabel {
                                    Layout.fillWidth: true
                                    elide: Text.ElideRight
                                    font.bold: true
                                    text: agentRow.name || agentRow.clientId
                                }
                                RiskBadge {
                                    text: agentRow.kind === "cimd" ? qsTr("CIMD") : agentRow.kind === "local" ? qsTr("Local") : agentRow.kind === "preregistered" ? qsTr("Yours") : qsTr("DCR")
                                    tone: agentRow.kind === "preregistered" ? "good" : "muted"
                                }
                            }
                            PlainLabel {
                                Layout.fillWidth: true
                                color: Theme.muted
                                elide: Text.ElideRight
                                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                                text: root.activeText(agentRow.activeGrants) + " · " + qsTr("seen %1").arg(Dashboard.formatAgo(agentRow.lastSeenAt > 0 ? agentRow.lastSeenAt : agentRow.createdAt))
                            }
                        }
                    }

                    Rectangle {
                        anchors.fill: parent
                        border.color: Theme.focusRing
                        border.width: 2
                        color: "transparent"
                        visible: list.activeFocus
                    }
                }
                EmptyState {
                    anchors.centerIn: parent
                    text: qsTr("An agent appears here when it registers with Tessera or asks through tessera-cli.")
                    title: qsTr("No agents yet")
                    visible: agents.count === 0
                    width: parent.width - 2 * Theme.spacingLarge
                }
            }
            Rectangle {
                Layout.fillHeight: true
                Layout.fillWidth: true
                border.color: Theme.divider
                color: Theme.surface
                radius: Theme.radius

                QQC2.ScrollView {
                    id: detailScroll

                    anchors.fill: parent
                    anchors.margins: 1
                    contentWidth: availableWidth
                    visible: root.selected !== null

                    ColumnLayout {
                        id: detail

                        readonly property var a: root.selected || ({})

                        spacing: Theme.spacingLarge
                        width: detailScroll.availableWidth

                        RowLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingXLarge
                            Layout.rightMargin: Theme.spacingXLarge
                            Layout.topMargin: Theme.spacingXLarge
                            spacing: Theme.spacing

                            PlainLabel {
                                Accessible.role: Accessible.Heading
                                Layout.fillWidth: true
                                elide: Text.ElideRight
                                font.bold: true
                                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSection
                                objectName: "agentTitle"
                                text: detail.a.name || detail.a.clientId || ""
                            }
                            RiskBadge {
                                objectName: "nameBadge"
                                text: detail.a.nameSelfAsserted ? qsTr("Name not verified") : qsTr("Registered by you")
                                tone: detail.a.nameSelfAsserted ? "warning" : "good"
                            }
                        }
                        PlainLabel {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingXLarge
                            Layout.rightMargin: Theme.spacingXLarge
                            color: Theme.muted
                            objectName: "identityNote"
                            text: detail.a.identityNote || ""
                            wrapMode: Text.WordWrap
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingXLarge
                            Layout.rightMargin: Theme.spacingXLarge
                            spacing: Theme.spacing

                            DetailRow {
                                Layout.fillWidth: true
                                copyable: true
                                label: qsTr("Client ID")
                                monospace: true
                                value: detail.a.clientId || ""
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Registered")
                                value: detail.a.kindLabel || ""
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Verified domain")
                                note: qsTr("Verified: its metadata was fetched from this domain over HTTPS.")
                                noteColor: Theme.good
                                objectName: "verifiedDomain"
                                value: detail.a.verifiedDomain || ""
                                visible: value.length > 0
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Redirect URIs")
                                monospace: true
                                note: qsTr("Claimed by the agent at registration.")
                                value: (detail.a.redirectUris || []).join("\n")
                                visible: value.length > 0
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Homepage")
                                monospace: true
                                note: qsTr("Claimed by the agent. Tessera never opens it.")
                                value: detail.a.clientUri || ""
                                visible: value.length > 0
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("First seen")
                                value: Dashboard.formatDateTime(detail.a.createdAt || 0)
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Last seen")
                                value: detail.a.lastSeenAt ? Dashboard.formatDateTime(detail.a.lastSeenAt) + " (" + Dashboard.formatAgo(detail.a.lastSeenAt) + ")" : qsTr("never")
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Registration")
                                note: qsTr("Agents that never get an approval are removed when their registration expires.")
                                value: qsTr("expires %1").arg(Dashboard.formatDateTime(detail.a.expiresAt || 0))
                                visible: (detail.a.expiresAt || 0) > 0
                            }
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingXLarge
                            Layout.rightMargin: Theme.spacingXLarge
                            spacing: Theme.spacing

                            PlainLabel {
                                Accessible.role: Accessible.Heading
                                font.bold: true
                                text: qsTr("Programs seen acting for it")
                            }
                            PlainLabel {
                                Layout.fillWidth: true
                                color: Theme.muted
                                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                                text: (detail.a.executables || []).length > 0 ? qsTr("Reported by the system (the program that owned the redirect port or the socket), not by the agent.") : qsTr("None observed yet.")
                                wrapMode: Text.WordWrap
                            }
                            Repeater {
                                model: detail.a.executables || []

                                ColumnLayout {
                                    id: exe

                                    required property var modelData

                                    Layout.fillWidth: true
                                    spacing: 0

                                    PlainLabel {
                                        Layout.fillWidth: true
                                        font.family: Theme.monospaceFamily
                                        text: exe.modelData.path
                                        wrapMode: Text.WrapAnywhere
                                    }
                                    PlainLabel {
                                        Layout.fillWidth: true
                                        color: Theme.muted
                                        font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                                        text: qsTr("first seen %1 · last %2 · %3").arg(Dashboard.formatDateTime(exe.modelData.firstSeen)).arg(Dashboard.formatAgo(exe.modelData.lastSeen)).arg(exe.modelData.count === 1 ? qsTr("once") : qsTr("%1 times").arg(exe.modelData.count))
                                    }
                                }
                            }
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingXLarge
                            Layout.rightMargin: Theme.spacingXLarge
                            spacing: Theme.spacing

                            RowLayout {
                                Layout.fillWidth: true

                                PlainLabel {
                                    Accessible.role: Accessible.Heading
                                    Layout.fillWidth: true
                                    font.bold: true
                                    text: qsTr("Active grants")
                                }
                                QQC2.Button {
                                    flat: true
                                    objectName: "showAllGrants"
                                    text: qsTr("All grants (%1) →").arg(detail.a.totalGrants || 0)

                                    onClicked: root.showGrants(detail.a.clientId)
                                }
                            }
                            Rectangle {
                                Layout.fillWidth: true
                                Layout.preferredHeight: agentGrants.count > 0 ? agentGrants.contentHeight + 2 : noGrants.implicitHeight + 2 * Theme.spacing
                                border.color: Theme.divider
                                color: "transparent"
                                radius: Theme.radius

                                GrantTable {
                                    id: agentGrants

                                    anchors.fill: parent
                                    anchors.margins: 1
                                    interactive: false
                                    objectName: "agentGrantTable"
                                    showAgent: false

                                    model: GrantListModel {
                                        autoRefresh: root.active
                                        clientFilter: detail.a.clientId || "\u0000"
                                        stateFilter: "active"
                                    }

                                    onRevokeRequested: grantId => {
                                        if (!agentGrants.model.revoke(grantId))
                                            notice.show(agentGrants.model.lastError, "danger");
                                        else
                                            agents.refresh();
                                    }
                                }
                                PlainLabel {
                                    id: noGrants

                                    anchors.centerIn: parent
                                    color: Theme.muted
                                    text: qsTr("No active grants.")
                                    visible: agentGrants.count === 0
                                }
                            }
                        }
                        RowLayout {
                            Layout.bottomMargin: Theme.spacingXLarge
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingXLarge
                            Layout.rightMargin: Theme.spacingXLarge
                            spacing: Theme.spacing

                            QQC2.Button {
                                Accessible.name: qsTr("Revoke every grant of this agent")
                                QQC2.ToolTip.delay: 300
                                QQC2.ToolTip.text: Dashboard.revocationAvailable ? qsTr("Stops every grant of this agent now") : Dashboard.revocationUnavailableReason
                                QQC2.ToolTip.visible: hovered
                                enabled: Dashboard.revocationAvailable && (detail.a.activeGrants || 0) > 0
                                objectName: "revokeAllButton"
                                text: qsTr("Revoke all grants")

                                Accessible.onPressAction: if (enabled) clicked()
                                onClicked: revokeDialog.open()
                            }
                            QQC2.Button {
                                Accessible.name: qsTr("Forget this agent")
                                QQC2.ToolTip.delay: 300
                                QQC2.ToolTip.text: Dashboard.revocationAvailable ? qsTr("Revokes everything and deletes its registration") : Dashboard.revocationUnavailableReason
                                QQC2.ToolTip.visible: hovered
                                enabled: Dashboard.revocationAvailable
                                objectName: "forgetButton"
                                text: qsTr("Forget agent…")

                                Accessible.onPressAction: if (enabled) clicked()
                                onClicked: forgetDialog.open()
                            }
                            Item {
                                Layout.fillWidth: true
                            }
                        }
                    }
                }
                EmptyState {
                    anchors.centerIn: parent
                    text: qsTr("Choose an agent to see what it claims, what Tessera verified, and its grants.")
                    title: qsTr("No agent selected")
                    visible: root.selected === null && agents.count > 0
                    width: parent.width - 2 * Theme.spacingXLarge
                }
            }
        }
    }
    ConfirmDialog {
        id: revokeDialog

        confirmText: qsTr("Revoke all")
        message: qsTr("Every grant of “%1” stops now: its refresh tokens fail and introspection answers inactive. The agent must ask again for anything it needs.").arg(root.selected ? (root.selected.name || root.selected.clientId) : "")
        objectName: "revokeAllDialog"
        title: qsTr("Revoke every grant of this agent?")

        onConfirmed: if (root.selected) root.revokeAll(root.selected.clientId)
    }
    ConfirmDialog {
        id: forgetDialog

        confirmText: qsTr("Forget")
        message: qsTr("Tessera revokes every grant of “%1”, cancels its waiting requests and deletes its registration and history of programs. The audit log keeps what happened.").arg(root.selected ? (root.selected.name || root.selected.clientId) : "")
        objectName: "forgetDialog"
        title: qsTr("Forget this agent?")

        onConfirmed: if (root.selected) root.forget(root.selected.clientId)
    }
}
