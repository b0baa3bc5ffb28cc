// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtCore
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Dialogs
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// The audit log, newest first: filter, search, export; and whether its hash chain holds.
FocusScope {
    id: root

    property bool active: false
    property string exportFormat: "jsonl"
    readonly property int minimumSearchLength: 3
    readonly property alias model: events
    readonly property var selected: root.revision >= 0 && list.currentIndex >= 0 && list.currentIndex < events.count ? events.get(list.currentIndex) : null
    property int revision: 0
    readonly property var clientChoices: {
        const list = [
            {
                "value": "",
                "text": qsTr("All agents")
            }
        ];
        for (const c of events.clients)
            list.push({
                "value": c.clientId,
                "text": c.name || c.clientId
            });
        return list;
    }
    readonly property var resourceChoices: {
        const list = [
            {
                "value": "",
                "text": qsTr("All resources")
            }
        ];
        for (const r of events.resources)
            list.push({
                "value": r,
                "text": r
            });
        return list;
    }
    readonly property var kindChoices: {
        const list = [
            {
                "value": "",
                "text": qsTr("All events")
            }
        ];
        for (const k of events.kinds)
            list.push({
                "value": k,
                "text": k
            });
        return list;
    }

    function exportTo(fileUrl, format) {
        Dashboard.exportAudit(fileUrl, format, events);
    }
    function chooseExport(format) {
        root.exportFormat = format;
        const stamp = new Date().toISOString().slice(0, 10);
        exportDialog.nameFilters = format === "csv" ? [qsTr("CSV (*.csv)")] : [qsTr("JSON Lines (*.jsonl)")];
        exportDialog.defaultSuffix = format;
        exportDialog.selectedFile = exportDialog.currentFolder + "/tessera-activity-" + stamp + "." + format;
        exportDialog.open();
    }
    function prettyJson(text) {
        try {
            return JSON.stringify(JSON.parse(text), null, 2);
        } catch (e) {
            return text;
        }
    }
    function applyTimeRange(value) {
        events.fromMs = value > 0 ? Date.now() - value : 0;
    }

    objectName: "activityPage"

    onActiveChanged: {
        if (root.active && Dashboard.chainState === "unknown")
            Dashboard.verifyChain();
    }

    AuditListModel {
        id: events

        autoRefresh: root.active
        clientFilter: agentBox.currentValue === undefined ? "" : agentBox.currentValue
        kindFilter: kindBox.currentValue === undefined ? "" : kindBox.currentValue
        resourceFilter: resourceBox.currentValue === undefined ? "" : resourceBox.currentValue
    }
    Connections {
        function onModelReset() {
            root.revision++;
        }
        function onRowsInserted() {
            root.revision++;
        }

        target: events
    }
    Connections {
        function onExportFinished(ok, message) {
            notice.show(message, ok ? "good" : "danger");
        }

        target: Dashboard
    }
    // Typing searches after a pause, and only from 3 characters: the trigram index answers
    // those at once, while shorter text has no index and scans the whole log (about 0.3 s at
    // a million events). Enter searches for whatever is typed, however short.
    Timer {
        id: searchDelay

        interval: 300

        onTriggered: events.searchText = searchField.text.length >= root.minimumSearchLength ? searchField.text : ""
    }
    FileDialog {
        id: exportDialog

        currentFolder: StandardPaths.writableLocation(StandardPaths.DocumentsLocation)
        fileMode: FileDialog.SaveFile
        title: qsTr("Export activity")

        onAccepted: root.exportTo(exportDialog.selectedFile, root.exportFormat)
    }
    Shortcut {
        enabled: root.active
        // StandardKey.Find is Ctrl+F on every platform Qt knows, and the 6.4 linter cannot
        // resolve the StandardKey enum (an exported value type), so the sequence is spelled out.
        sequence: "Ctrl+F"

        onActivated: searchField.forceActiveFocus()
    }
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingXLarge
        spacing: Theme.spacingLarge

        PageHeader {
            Layout.fillWidth: true
            subtitle: qsTr("Everything Tessera did, newest first. Each event is chained to the one before by its hash, so edits and deletions show.")
            title: qsTr("Activity")

            RiskBadge {
                Accessible.description: Dashboard.chainMessage
                QQC2.ToolTip.text: Dashboard.chainMessage
                QQC2.ToolTip.visible: chainHover.hovered && Dashboard.chainMessage.length > 0
                objectName: "chainBadge"
                text: Dashboard.chainState === "ok" ? qsTr("Chain intact") : Dashboard.chainState === "broken" ? qsTr("Chain broken") : Dashboard.chainState === "verifying" ? qsTr("Checking chain…") : Dashboard.chainState === "error" ? qsTr("Chain not checked") : qsTr("Chain not checked yet")
                tone: Dashboard.chainState === "ok" ? "good" : Dashboard.chainState === "broken" ? "danger" : Dashboard.chainState === "error" ? "warning" : "muted"

                HoverHandler {
                    id: chainHover

                }
            }
            QQC2.Button {
                enabled: Dashboard.chainState !== "verifying"
                objectName: "verifyChain"
                text: qsTr("Verify")

                onClicked: Dashboard.verifyChain()
            }
            QQC2.Button {
                id: exportButton

                enabled: !Dashboard.exporting
                objectName: "exportButton"
                text: Dashboard.exporting ? qsTr("Exporting…") : qsTr("Export…")

                onClicked: exportMenu.open()

                QQC2.Menu {
                    id: exportMenu

                    y: exportButton.height

                    QQC2.MenuItem {
                        text: qsTr("JSON Lines (.jsonl)")

                        onTriggered: root.chooseExport("jsonl")
                    }
                    QQC2.MenuItem {
                        text: qsTr("CSV (.csv)")

                        onTriggered: root.chooseExport("csv")
                    }
                }
            }
        }
        NoticeBar {
            Layout.fillWidth: true
            objectName: "chainBrokenNotice"
            text: Dashboard.chainState === "broken" ? Dashboard.chainMessage + " " + qsTr("Someone or something changed the audit log outside Tessera; export it now to keep a copy.") : ""
            tone: "danger"
        }
        NoticeBar {
            id: notice

            Layout.fillWidth: true
            objectName: "activityNotice"
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            QQC2.TextField {
                id: searchField

                Accessible.name: qsTr("Search event details")
                Layout.fillWidth: true
                Layout.minimumWidth: 160
                objectName: "searchField"
                placeholderText: qsTr("Search details (Ctrl+F)")
                QQC2.ToolTip.text: qsTr("Press Enter to search for fewer than 3 characters.")
                QQC2.ToolTip.visible: searchField.activeFocus && searchField.text.length > 0 && searchField.text.length < root.minimumSearchLength && events.searchText !== searchField.text

                Keys.onEscapePressed: {
                    searchDelay.stop();
                    searchField.clear();
                    events.searchText = "";
                }
                onAccepted: {
                    searchDelay.stop();
                    events.searchText = searchField.text;
                }
                onTextEdited: searchDelay.restart()
            }
            ChoiceBox {
                id: agentBox

                Accessible.name: qsTr("Agent")
                Layout.preferredWidth: 180
                model: root.clientChoices
                objectName: "activityAgentFilter"
            }
            ChoiceBox {
                id: resourceBox

                Accessible.name: qsTr("Resource")
                Layout.preferredWidth: 200
                model: root.resourceChoices
                objectName: "activityResourceFilter"
            }
            ChoiceBox {
                id: kindBox

                Accessible.name: qsTr("Kind of event")
                Layout.preferredWidth: 180
                model: root.kindChoices
                objectName: "activityKindFilter"
            }
            ChoiceBox {
                id: timeBox

                Accessible.name: qsTr("Time")
                Layout.preferredWidth: 140
                model: [
                    {
                        "value": 0,
                        "text": qsTr("Any time")
                    },
                    {
                        "value": 3600000,
                        "text": qsTr("Last hour")
                    },
                    {
                        "value": 86400000,
                        "text": qsTr("Last 24 hours")
                    },
                    {
                        "value": 604800000,
                        "text": qsTr("Last 7 days")
                    },
                    {
                        "value": 2592000000,
                        "text": qsTr("Last 30 days")
                    }
                ]
                objectName: "activityTimeFilter"

                onActivated: root.applyTimeRange(currentValue)
            }
            QQC2.Button {
                enabled: events.filtered
                text: qsTr("Clear")

                onClicked: {
                    searchField.clear();
                    agentBox.currentIndex = 0;
                    resourceBox.currentIndex = 0;
                    kindBox.currentIndex = 0;
                    timeBox.currentIndex = 0;
                    events.clearFilters();
                }
            }
        }
        RowLayout {
            Layout.fillHeight: true
            Layout.fillWidth: true
            spacing: Theme.spacingLarge

            Rectangle {
                Layout.fillHeight: true
                Layout.fillWidth: true
                border.color: Theme.divider
                color: Theme.surface
                radius: Theme.radius

                ListView {
                    id: list

                    Accessible.name: qsTr("Events")
                    Accessible.role: Accessible.List
                    activeFocusOnTab: true
                    anchors.bottom: listEnd.top
                    anchors.left: parent.left
                    anchors.margins: 1
                    anchors.right: parent.right
                    anchors.top: parent.top
                    boundsBehavior: Flickable.StopAtBounds
                    clip: true
                    highlightMoveDuration: 0
                    keyNavigationEnabled: true
                    model: events
                    objectName: "eventList"
                    reuseItems: true

                    QQC2.ScrollBar.vertical: QQC2.ScrollBar {
                    }
                    delegate: Rectangle {
                        id: eventRow

                        required property string actor
                        required property string clientId
                        required property string clientName
                        required property int index
                        required property string kind
                        required property string resource
                        required property real seq
                        required property string summary
                        required property real timeMs
                        readonly property bool current: ListView.isCurrentItem

                        Accessible.name: eventRow.summary + ", " + Dashboard.formatTimestampMs(eventRow.timeMs)
                        Accessible.role: Accessible.ListItem
                        Accessible.selected: eventRow.current
                        color: eventRow.current ? Theme.rowSelected : eventHover.hovered ? Theme.rowHover : "transparent"
                        implicitHeight: eventColumn.implicitHeight + 2 * Theme.spacing
                        width: ListView.view.width

                        HoverHandler {
                            id: eventHover

                        }
                        TapHandler {
                            onTapped: {
                                list.currentIndex = eventRow.index;
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
                            id: eventColumn

                            anchors.left: parent.left
                            anchors.leftMargin: Theme.spacing * 1.5
                            anchors.right: parent.right
                            anchors.rightMargin: Theme.spacing * 1.5
                            anchors.verticalCenter: parent.verticalCenter
                            spacing: 2

                            RowLayout {
                                Layout.fillWidth: true
                                spacing: Theme.spacing

                                PlainLabel {
                                    Layout.fillWidth: true
                                    elide: Text.ElideRight
                                    text: eventRow.summary
                                }
                                PlainLabel {
                                    color: Theme.muted
                                    font.family: Theme.monospaceFamily
                                    font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                                    text: eventRow.kind
                                }
                            }
                            PlainLabel {
                                Layout.fillWidth: true
                                color: Theme.muted
                                elide: Text.ElideRight
                                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                                text: [Dashboard.formatTimestampMs(eventRow.timeMs), eventRow.clientName || eventRow.clientId, eventRow.resource, qsTr("by %1").arg(eventRow.actor)].filter(s => s.length > 0).join("  ·  ")
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
                // Below the list, not its footer: a ListView footer in a Bound document is never
                // created in Qt 6.4.
                PlainLabel {
                    id: listEnd

                    anchors.bottom: parent.bottom
                    anchors.horizontalCenter: parent.horizontalCenter
                    color: Theme.muted
                    font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                    padding: Theme.spacing
                    text: events.hasMore ? qsTr("Older events load as you scroll.") : events.count > 0 ? qsTr("Beginning of the log.") : ""
                }
                EmptyState {
                    anchors.centerIn: parent
                    text: events.filtered ? qsTr("Nothing matches these filters.") : qsTr("Events appear here as agents register, ask and use their grants.")
                    title: events.filtered ? qsTr("No matching events") : qsTr("No activity yet")
                    visible: events.count === 0
                    width: parent.width - 2 * Theme.spacingXLarge
                }
            }
            Rectangle {
                Layout.fillHeight: true
                Layout.preferredWidth: Math.min(380, root.width * 0.34)
                // The side column keeps its width; a wide detail pane must not squeeze it away.
                Layout.minimumWidth: Math.min(380, root.width * 0.34)
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

                        readonly property var e: root.selected || ({})

                        spacing: Theme.spacing
                        width: detailScroll.availableWidth

                        PlainLabel {
                            Accessible.role: Accessible.Heading
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingLarge
                            Layout.rightMargin: Theme.spacingLarge
                            Layout.topMargin: Theme.spacingLarge
                            font.bold: true
                            text: detail.e.summary || ""
                            wrapMode: Text.WordWrap
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingLarge
                            Layout.rightMargin: Theme.spacingLarge
                            spacing: Theme.spacingSmall

                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Time")
                                value: detail.e.timeMs ? Dashboard.formatTimestampMs(detail.e.timeMs) : ""
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Event")
                                monospace: true
                                value: detail.e.kind || ""
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("By")
                                value: detail.e.actor || ""
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Agent")
                                note: detail.e.clientName ? qsTr("Name as the agent gives it") : ""
                                value: detail.e.clientName ? detail.e.clientName + "\n" + detail.e.clientId : (detail.e.clientId || "")
                                visible: value.length > 0
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Resource")
                                monospace: true
                                value: detail.e.resource || ""
                                visible: value.length > 0
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                copyable: true
                                label: qsTr("Grant")
                                monospace: true
                                value: detail.e.grantId || ""
                                visible: value.length > 0
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Event number")
                                value: detail.e.seq ? String(detail.e.seq) : ""
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                copyable: true
                                label: qsTr("Hash")
                                monospace: true
                                value: detail.e.hash || ""
                            }
                        }
                        PlainLabel {
                            Layout.leftMargin: Theme.spacingLarge
                            color: Theme.muted
                            text: qsTr("Details")
                        }
                        QQC2.TextArea {
                            Accessible.name: qsTr("Event details")
                            Layout.bottomMargin: Theme.spacingLarge
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingLarge
                            Layout.rightMargin: Theme.spacingLarge
                            font.family: Theme.monospaceFamily
                            font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                            readOnly: true
                            selectByMouse: true
                            text: root.prettyJson(detail.e.details || "{}")
                            textFormat: TextEdit.PlainText
                            wrapMode: TextEdit.WrapAnywhere

                            background: Rectangle {
                                border.color: Theme.cardBorder
                                color: Theme.cardBackground
                                radius: Theme.radius
                            }
                        }
                    }
                }
                EmptyState {
                    anchors.centerIn: parent
                    text: qsTr("Choose an event to see everything it recorded.")
                    title: qsTr("No event selected")
                    visible: root.selected === null && events.count > 0
                    width: parent.width - 2 * Theme.spacingXLarge
                }
            }
        }
    }
}
