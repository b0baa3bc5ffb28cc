// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// Every grant: filter by state, agent and resource; sort by creation or last use; revoke.
FocusScope {
    id: root

    property bool active: false
    // Bumped on every row change, so bindings over grants.get() re-evaluate.
    property int revision: 0
    readonly property alias model: grants
    readonly property var agentChoices: {
        agents.count; // re-evaluate when agents change
        const list = [
            {
                "value": "",
                "text": qsTr("All agents")
            }
        ];
        for (let i = 0; i < agents.count; ++i) {
            const a = agents.get(i);
            list.push({
                "value": a.clientId,
                "text": a.name || a.clientId
            });
        }
        return list;
    }
    readonly property var resourceChoices: {
        resources.count;
        const list = [
            {
                "value": 0,
                "text": qsTr("All resources")
            }
        ];
        for (let i = 0; i < resources.count; ++i) {
            const r = resources.get(i);
            list.push({
                "value": r.resourceId,
                "text": r.displayName
            });
        }
        return list;
    }

    // Shows the grants of one agent (from the Agents page).
    // The current row's roles as a plain object (the model's get()).
    function currentGrant() {
        return grants.get(table.currentIndex);
    }
    function showAgent(clientId) {
        stateBox.select("any");
        agentBox.select(clientId);
    }
    function revoke(grantId) {
        if (grants.revoke(grantId))
            return true;
        notice.show(grants.lastError, "danger");
        return false;
    }

    objectName: "grantsPage"

    GrantListModel {
        id: grants

        autoRefresh: root.active
        clientFilter: agentBox.currentValue === undefined ? "" : agentBox.currentValue
        // The 6.4 linter knows no qlonglong (later Qt registers the 64-bit integers as builtins):
        // the type check is off on each line that touches a qint64 property, and only there.
        resourceFilter: resourceBox.currentValue === undefined ? 0 : resourceBox.currentValue // qmllint disable type
        sortOrder: sortBox.currentValue === undefined ? "created" : sortBox.currentValue
        stateFilter: stateBox.currentValue === undefined ? "active" : stateBox.currentValue

        onRevoked: (grantId, message) => notice.show(message, "good")
    }
    Connections {
        function onDataChanged() {
            root.revision++;
        }
        function onModelReset() {
            root.revision++;
        }

        target: grants
    }
    AgentListModel {
        id: agents

    }
    ResourceListModel {
        id: resources

    }
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingXLarge
        spacing: Theme.spacingLarge

        PageHeader {
            Layout.fillWidth: true
            subtitle: qsTr("What each agent may use, until when, and how often it did. Revoking takes effect at once: refresh tokens stop working and introspection answers inactive.")
            title: qsTr("Grants")

            QQC2.Button {
                Accessible.name: qsTr("Revoke the selected grant")
                QQC2.ToolTip.delay: 300
                QQC2.ToolTip.text: Dashboard.revocationAvailable ? qsTr("Revoke the selected grant (Delete)") : Dashboard.revocationUnavailableReason
                QQC2.ToolTip.visible: hovered
                enabled: root.revision >= 0 && Dashboard.revocationAvailable && table.currentIndex >= 0 && root.currentGrant().grantState === "active"
                objectName: "revokeSelected"
                text: qsTr("Revoke selected")

                Accessible.onPressAction: if (enabled) clicked()
                onClicked: root.revoke(root.currentGrant().grantId)
            }
        }
        NoticeBar {
            id: notice

            Layout.fillWidth: true
        }
        NoticeBar {
            Layout.fillWidth: true
            objectName: "revocationUnavailable"
            text: Dashboard.revocationAvailable ? "" : Dashboard.revocationUnavailableReason
            tone: "warning"
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            ChoiceBox {
                id: stateBox

                Accessible.name: qsTr("Show grants that are")
                Layout.preferredWidth: 150
                model: [
                    {
                        "value": "active",
                        "text": qsTr("Active")
                    },
                    {
                        "value": "expired",
                        "text": qsTr("Expired")
                    },
                    {
                        "value": "revoked",
                        "text": qsTr("Revoked")
                    },
                    {
                        "value": "any",
                        "text": qsTr("All states")
                    }
                ]
                objectName: "stateFilter"
            }
            ChoiceBox {
                id: agentBox

                Accessible.name: qsTr("Agent")
                Layout.preferredWidth: 220
                model: root.agentChoices
                objectName: "agentFilter"
            }
            ChoiceBox {
                id: resourceBox

                Accessible.name: qsTr("Resource")
                Layout.preferredWidth: 200
                model: root.resourceChoices
                objectName: "resourceFilter"
            }
            ChoiceBox {
                id: sortBox

                Accessible.name: qsTr("Sort")
                Layout.preferredWidth: 190
                model: [
                    {
                        "value": "created",
                        "text": qsTr("Newest first")
                    },
                    {
                        "value": "lastUsed",
                        "text": qsTr("Recently used first")
                    }
                ]
                objectName: "sortOrder"
            }
            Item {
                Layout.fillWidth: true
            }
            PlainLabel {
                color: Theme.muted
                objectName: "grantCount"
                // qint64 property: see resourceFilter above.
                text: grants.totalCount === 1 ? qsTr("1 grant") : qsTr("%1 grants").arg(Dashboard.formatCount(grants.totalCount)) // qmllint disable type
            }
        }
        Rectangle {
            Layout.fillHeight: true
            Layout.fillWidth: true
            border.color: Theme.divider
            color: Theme.surface
            radius: Theme.radius

            GrantTable {
                id: table

                anchors.fill: parent
                anchors.margins: 1
                model: grants
                objectName: "grantTable"

                onRevokeRequested: grantId => root.revoke(grantId)
            }
            EmptyState {
                anchors.centerIn: parent
                // qint64 property: see resourceFilter above.
                text: grants.stateFilter === "active" && grants.clientFilter === "" && grants.resourceFilter === 0 ? qsTr("When you approve an agent's request, the grant appears here with its scopes and how long it lasts.") : qsTr("Try another state, agent or resource.") // qmllint disable type
                title: grants.stateFilter === "active" ? qsTr("No active grants") : qsTr("No grants match")
                visible: table.count === 0
                width: parent.width - 2 * Theme.spacingXLarge
            }
        }
    }
}
