// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// The MCP servers Tessera protects, their scopes, and the metadata each must serve.
FocusScope {
    id: root

    property bool active: false
    property int revision: 0
    readonly property var selected: root.revision >= 0 && list.currentIndex >= 0 && list.currentIndex < resources.count ? resources.get(list.currentIndex) : null
    readonly property alias model: resources
    readonly property alias dialog: resourceDialog

    function remove(resourceId) {
        if (!resources.remove(resourceId)) {
            notice.show(resources.lastError, "danger");
            return false;
        }
        notice.show(qsTr("Resource removed. Its grants were revoked; agents can no longer get tokens for it."), "good");
        return true;
    }
    function select(resourceId) {
        const i = resources.indexOf(resourceId);
        if (i >= 0)
            list.currentIndex = i;
    }

    objectName: "resourcesPage"

    ResourceListModel {
        id: resources

    }
    Connections {
        function onModelReset() {
            root.revision++;
        }

        target: resources
    }
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingXLarge
        spacing: Theme.spacingLarge

        PageHeader {
            Layout.fillWidth: true
            subtitle: qsTr("MCP servers Tessera issues tokens for. Each serves the metadata below so that agents find Tessera.")
            title: qsTr("Resources")

            QQC2.Button {
                objectName: "addResource"
                text: qsTr("Add resource…")

                onClicked: resourceDialog.openNew()
            }
        }
        NoticeBar {
            id: notice

            Layout.fillWidth: true
        }
        RowLayout {
            Layout.fillHeight: true
            Layout.fillWidth: true
            spacing: Theme.spacingLarge

            Rectangle {
                Layout.fillHeight: true
                // The side column keeps its width; a wide detail pane must not squeeze it away.
                Layout.minimumWidth: 260
                Layout.preferredWidth: 300
                border.color: Theme.divider
                color: Theme.surface
                radius: Theme.radius

                ListView {
                    id: list

                    Accessible.name: qsTr("Resources")
                    Accessible.role: Accessible.List
                    activeFocusOnTab: true
                    anchors.fill: parent
                    anchors.margins: 1
                    boundsBehavior: Flickable.StopAtBounds
                    clip: true
                    focus: true
                    highlightMoveDuration: 0
                    keyNavigationEnabled: true
                    model: resources
                    objectName: "resourceList"

                    delegate: Rectangle {
                        id: resourceRow

                        required property string displayName
                        required property int index
                        required property string uri
                        required property real activeGrants
                        readonly property bool current: ListView.isCurrentItem

                        Accessible.name: resourceRow.displayName + ", " + resourceRow.uri
                        Accessible.role: Accessible.ListItem
                        Accessible.selected: resourceRow.current
                        color: resourceRow.current ? Theme.rowSelected : resourceHover.hovered ? Theme.rowHover : "transparent"
                        implicitHeight: resourceColumn.implicitHeight + 2 * Theme.spacing
                        width: ListView.view.width

                        HoverHandler {
                            id: resourceHover

                        }
                        TapHandler {
                            onTapped: {
                                list.currentIndex = resourceRow.index;
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
                            id: resourceColumn

                            anchors.left: parent.left
                            anchors.margins: Theme.spacing * 1.5
                            anchors.right: parent.right
                            anchors.verticalCenter: parent.verticalCenter
                            spacing: 2

                            PlainLabel {
                                Layout.fillWidth: true
                                elide: Text.ElideRight
                                font.bold: true
                                text: resourceRow.displayName
                            }
                            PlainLabel {
                                Layout.fillWidth: true
                                color: Theme.muted
                                elide: Text.ElideMiddle
                                font.family: Theme.monospaceFamily
                                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                                text: resourceRow.uri
                            }
                            PlainLabel {
                                color: Theme.muted
                                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                                text: resourceRow.activeGrants === 0 ? qsTr("no active grants") : resourceRow.activeGrants === 1 ? qsTr("1 active grant") : qsTr("%1 active grants").arg(resourceRow.activeGrants)
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
                    text: qsTr("Add the MCP servers you want agents to reach only with your consent.")
                    title: qsTr("No resources yet")
                    visible: resources.count === 0
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

                        readonly property var r: root.selected || ({})

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
                                text: detail.r.displayName || ""
                            }
                            QQC2.Button {
                                objectName: "editResource"
                                text: qsTr("Edit…")

                                onClicked: resourceDialog.openEdit(detail.r.resourceId)
                            }
                            QQC2.Button {
                                QQC2.ToolTip.delay: 300
                                QQC2.ToolTip.text: qsTr("Revokes its grants and removes it")
                                QQC2.ToolTip.visible: hovered
                                objectName: "removeResource"
                                text: qsTr("Remove…")

                                onClicked: removeDialog.open()
                            }
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingXLarge
                            Layout.rightMargin: Theme.spacingXLarge
                            spacing: Theme.spacing

                            DetailRow {
                                Layout.fillWidth: true
                                copyable: true
                                label: qsTr("Address")
                                monospace: true
                                note: qsTr("The audience of its tokens.")
                                value: detail.r.uri || ""
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Name")
                                monospace: true
                                note: qsTr("How tessera-cli refers to it.")
                                value: detail.r.name || ""
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Token lifetime")
                                value: Dashboard.formatSeconds(detail.r.tokenLifetimeSecs || 0)
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Introspection")
                                value: detail.r.introspection ? qsTr("allowed, with its own secret") : qsTr("not allowed (it validates JWTs itself)")
                            }
                            DetailRow {
                                Layout.fillWidth: true
                                label: qsTr("Active grants")
                                value: String(detail.r.activeGrants || 0)
                            }
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacingXLarge
                            Layout.rightMargin: Theme.spacingXLarge
                            spacing: Theme.spacingSmall

                            PlainLabel {
                                Accessible.role: Accessible.Heading
                                font.bold: true
                                text: qsTr("Scopes")
                            }
                            Repeater {
                                model: detail.r.scopes || []

                                RowLayout {
                                    id: scopeLine

                                    required property var modelData

                                    Layout.fillWidth: true
                                    spacing: Theme.spacing

                                    PlainLabel {
                                        Layout.preferredWidth: 170
                                        elide: Text.ElideRight
                                        font.family: Theme.monospaceFamily
                                        text: scopeLine.modelData.name
                                    }
                                    RiskBadge {
                                        text: scopeLine.modelData.risk === "high" ? qsTr("High risk") : qsTr("Low risk")
                                        tone: scopeLine.modelData.risk === "high" ? "danger" : "muted"
                                    }
                                    RiskBadge {
                                        text: qsTr("Default")
                                        tone: "good"
                                        visible: scopeLine.modelData.isDefault
                                    }
                                    PlainLabel {
                                        Layout.fillWidth: true
                                        color: Theme.muted
                                        elide: Text.ElideRight
                                        text: scopeLine.modelData.description
                                    }
                                }
                            }
                        }
                        ColumnLayout {
                            Layout.bottomMargin: Theme.spacingXLarge
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
                                    text: qsTr("Protected-resource metadata")
                                }
                                QQC2.Button {
                                    objectName: "copyMetadata"
                                    text: qsTr("Copy JSON")

                                    onClicked: {
                                        Dashboard.copyText(detail.r.metadataJson);
                                        notice.show(qsTr("Metadata copied. Serve it at %1.").arg(detail.r.metadataUrl), "good");
                                    }
                                }
                            }
                            PlainLabel {
                                Layout.fillWidth: true
                                color: Theme.muted
                                text: qsTr("The MCP server serves this JSON (RFC 9728) at:")
                                wrapMode: Text.WordWrap
                            }
                            QQC2.TextField {
                                Accessible.name: qsTr("Metadata URL")
                                Layout.fillWidth: true
                                font.family: Theme.monospaceFamily
                                readOnly: true
                                selectByMouse: true
                                text: detail.r.metadataUrl || ""
                            }
                            QQC2.TextArea {
                                Accessible.name: qsTr("Metadata JSON")
                                Layout.fillWidth: true
                                font.family: Theme.monospaceFamily
                                objectName: "metadataJson"
                                readOnly: true
                                selectByMouse: true
                                text: detail.r.metadataJson || ""
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
                }
                EmptyState {
                    anchors.centerIn: parent
                    text: qsTr("Choose a resource to see its scopes and the metadata its server must serve.")
                    title: qsTr("No resource selected")
                    visible: root.selected === null && resources.count > 0
                    width: parent.width - 2 * Theme.spacingXLarge
                }
            }
        }
    }
    ResourceDialog {
        id: resourceDialog

        onSavedResource: (resourceId, secret) => {
            root.select(resourceId);
            if (secret.length > 0) {
                secretDialog.secret = secret;
                resourceDialog.editor.clearIssuedSecret();
                secretDialog.open();
            } else {
                notice.show(qsTr("Saved."), "good");
            }
        }
    }
    ConfirmDialog {
        id: removeDialog

        confirmText: qsTr("Remove")
        message: qsTr("Tessera revokes every grant for “%1” and forgets it. Agents can no longer get tokens for it; the audit log keeps what happened.").arg(root.selected ? root.selected.displayName : "")
        objectName: "removeDialog"
        title: qsTr("Remove this resource?")

        onConfirmed: if (root.selected) root.remove(root.selected.resourceId)
    }
    QQC2.Dialog {
        id: secretDialog

        property string secret

        anchors.centerIn: QQC2.Overlay.overlay
        modal: true
        standardButtons: QQC2.Dialog.Close
        title: qsTr("Introspection secret")
        width: Math.min(560, root.width - 2 * Theme.spacingLarge)

        onClosed: secret = ""

        ColumnLayout {
            anchors.left: parent.left
            anchors.right: parent.right
            spacing: Theme.spacing

            PlainLabel {
                Layout.fillWidth: true
                text: qsTr("Give this secret to the MCP server: it calls /introspect with HTTP Basic, user = the resource name. It is shown only now.")
                wrapMode: Text.WordWrap
            }
            RowLayout {
                Layout.fillWidth: true

                QQC2.TextField {
                    Accessible.name: qsTr("Introspection secret")
                    Layout.fillWidth: true
                    font.family: Theme.monospaceFamily
                    readOnly: true
                    selectByMouse: true
                    text: secretDialog.secret
                }
                QQC2.Button {
                    text: qsTr("Copy")

                    onClicked: Dashboard.copyText(secretDialog.secret)
                }
            }
        }
    }
}
