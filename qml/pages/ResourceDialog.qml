// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// Add or edit a protected resource. Each field shows its own error under it (ResourceEditor
// validates field by field); nothing is saved until everything is valid.
QQC2.Dialog {
    id: root

    property bool nameTouched: false
    readonly property alias editor: editor

    signal savedResource(int resourceId, string secret)

    function openNew() {
        editor.startNew();
        root.loadScopes();
        root.nameTouched = false;
        root.open();
    }
    function openEdit(resourceId) {
        if (!editor.load(resourceId))
            return;
        root.loadScopes();
        root.nameTouched = true;
        root.open();
    }
    function loadScopes() {
        scopeModel.clear();
        for (const s of editor.scopes)
            scopeModel.append({
                "name": s.name,
                "description": s.description,
                "risk": s.risk,
                "isDefault": s.isDefault
            });
    }
    function addScope() {
        scopeModel.append({
            "name": "",
            "description": "",
            "risk": "low",
            "isDefault": false
        });
    }
    function commitScopes() {
        const list = [];
        for (let i = 0; i < scopeModel.count; ++i) {
            const s = scopeModel.get(i);
            list.push({
                "name": s.name,
                "description": s.description,
                "risk": s.risk,
                "isDefault": s.isDefault
            });
        }
        editor.scopes = list;
    }
    function save() {
        root.commitScopes();
        if (!editor.save())
            return false;
        root.savedResource(editor.resourceId, editor.issuedSecret);
        root.close();
        return true;
    }

    anchors.centerIn: QQC2.Overlay.overlay
    focus: true
    height: Math.min(760, (parent ? parent.height : 760) - 2 * Theme.spacingLarge)
    leftPadding: Theme.spacingXLarge
    modal: true
    objectName: "resourceDialog"
    title: editor.isNew ? qsTr("Add a resource") : qsTr("Edit %1").arg(editor.displayName || editor.name)
    rightPadding: Theme.spacingXLarge
    topPadding: Theme.spacingLarge
    width: Math.min(720, (parent ? parent.width : 720) - 2 * Theme.spacingLarge)

    header: PlainLabel {
        bottomPadding: 0
        elide: Text.ElideRight
        font.bold: true
        font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSection
        padding: Theme.spacingXLarge
        text: root.title
    }
    footer: QQC2.DialogButtonBox {
        QQC2.Button {
            QQC2.DialogButtonBox.buttonRole: QQC2.Dialog.RejectRole
            text: qsTr("Cancel")
        }
        QQC2.Button {
            objectName: "saveResource"
            text: editor.isNew ? qsTr("Add resource") : qsTr("Save")

            onClicked: root.save()
        }
    }

    onOpened: displayNameField.forceActiveFocus()

    ResourceEditor {
        id: editor

    }
    EnterPressesButton {
        focusItem: scroll.Window.activeFocusItem
    }
    ListModel {
        id: scopeModel

    }
    QQC2.ScrollView {
        id: scroll

        anchors.fill: parent
        contentWidth: availableWidth

        ColumnLayout {
            spacing: Theme.spacing
            width: scroll.availableWidth - Theme.spacing

            PlainLabel {
                font.bold: true
                text: qsTr("Display name")
            }
            QQC2.TextField {
                id: displayNameField

                Accessible.name: qsTr("Display name")
                Layout.fillWidth: true
                objectName: "displayNameField"
                placeholderText: qsTr("Files on this computer")
                text: editor.displayName

                onTextEdited: {
                    editor.displayName = text;
                    if (!root.nameTouched)
                        editor.name = editor.suggestName(text);
                }
            }
            PlainLabel {
                font.bold: true
                text: qsTr("Name")
            }
            QQC2.TextField {
                id: nameField

                Accessible.description: editor.nameError
                Accessible.name: qsTr("Name, used by tessera-cli")
                Layout.fillWidth: true
                font.family: Theme.monospaceFamily
                objectName: "nameField"
                placeholderText: "files"
                text: editor.name

                onTextEdited: {
                    root.nameTouched = true;
                    editor.name = text;
                }
            }
            FieldError {
                Layout.fillWidth: true
                objectName: "nameError"
                text: editor.nameError
            }
            PlainLabel {
                font.bold: true
                text: qsTr("Address (resource URI)")
            }
            QQC2.TextField {
                id: uriField

                Accessible.description: editor.uriError
                Accessible.name: qsTr("Address of the MCP server")
                Layout.fillWidth: true
                font.family: Theme.monospaceFamily
                objectName: "uriField"
                placeholderText: "http://127.0.0.1:8931/mcp"
                text: editor.uri

                onTextEdited: editor.uri = text
            }
            PlainLabel {
                Layout.fillWidth: true
                color: Theme.muted
                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                text: editor.canonicalUri.length > 0 && editor.canonicalUri !== editor.uri.trim() ? qsTr("Stored as %1 (the audience of its tokens).").arg(editor.canonicalUri) : qsTr("Exactly the URL agents use for this MCP server; it becomes the audience of its tokens.")
                wrapMode: Text.WordWrap
            }
            FieldError {
                Layout.fillWidth: true
                objectName: "uriError"
                text: editor.uriError
            }
            PlainLabel {
                font.bold: true
                text: qsTr("Access-token lifetime")
            }
            RowLayout {
                spacing: Theme.spacing

                QQC2.SpinBox {
                    id: lifetimeBox

                    Accessible.name: qsTr("Access-token lifetime in seconds")
                    editable: true
                    from: 1
                    objectName: "lifetimeBox"
                    stepSize: 60
                    to: 3600
                    value: editor.tokenLifetimeSecs

                    onValueModified: editor.tokenLifetimeSecs = value
                }
                PlainLabel {
                    color: Theme.muted
                    text: qsTr("seconds (%1). Short is safer: agents refresh.").arg(Dashboard.formatSeconds(lifetimeBox.value))
                }
            }
            FieldError {
                Layout.fillWidth: true
                text: editor.lifetimeError
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.topMargin: Theme.spacing

                PlainLabel {
                    Layout.fillWidth: true
                    font.bold: true
                    text: qsTr("Scopes")
                }
                QQC2.Button {
                    objectName: "addScope"
                    text: qsTr("Add scope")

                    onClicked: root.addScope()
                }
            }
            PlainLabel {
                Layout.fillWidth: true
                color: Theme.muted
                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                text: qsTr("High-risk scopes are marked in the prompt. Default scopes are what an agent gets when it asks for none; with none chosen, the low-risk ones are the default.")
                wrapMode: Text.WordWrap
            }
            Repeater {
                id: scopeRows

                model: scopeModel
                objectName: "scopeRows"

                RowLayout {
                    id: scopeRow

                    required property string description
                    required property int index
                    required property bool isDefault
                    required property string name
                    required property string risk

                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    QQC2.TextField {
                        Accessible.name: qsTr("Scope %1 name").arg(scopeRow.index + 1)
                        Layout.preferredWidth: 170
                        color: editor.scopeErrorIndex === scopeRow.index ? Theme.danger : Theme.palette.text
                        font.family: Theme.monospaceFamily
                        objectName: "scopeName_" + scopeRow.index
                        placeholderText: "files:read"
                        text: scopeRow.name

                        onTextEdited: scopeModel.setProperty(scopeRow.index, "name", text)
                    }
                    QQC2.TextField {
                        Accessible.name: qsTr("Scope %1 description").arg(scopeRow.index + 1)
                        Layout.fillWidth: true
                        placeholderText: qsTr("What it allows, in plain words")
                        text: scopeRow.description

                        onTextEdited: scopeModel.setProperty(scopeRow.index, "description", text)
                    }
                    QQC2.ComboBox {
                        Accessible.name: qsTr("Scope %1 risk").arg(scopeRow.index + 1)
                        Layout.preferredWidth: 110
                        currentIndex: scopeRow.risk === "high" ? 1 : 0
                        model: [qsTr("Low risk"), qsTr("High risk")]

                        onActivated: index => scopeModel.setProperty(scopeRow.index, "risk", index === 1 ? "high" : "low")
                    }
                    QQC2.CheckBox {
                        Accessible.name: qsTr("Scope %1 is a default").arg(scopeRow.index + 1)
                        checked: scopeRow.isDefault
                        text: qsTr("Default")

                        onToggled: scopeModel.setProperty(scopeRow.index, "isDefault", checked)
                    }
                    QQC2.ToolButton {
                        Accessible.name: qsTr("Remove scope %1").arg(scopeRow.index + 1)
                        enabled: scopeModel.count > 1
                        text: "×"

                        onClicked: scopeModel.remove(scopeRow.index)
                    }
                }
            }
            FieldError {
                Layout.fillWidth: true
                objectName: "scopesError"
                text: editor.scopesError
            }
            QQC2.CheckBox {
                id: introspectionBox

                Layout.topMargin: Theme.spacing
                checked: editor.introspection
                objectName: "introspectionBox"
                text: qsTr("This server checks tokens by calling Tessera's /introspect")

                onToggled: editor.introspection = checked
            }
            QQC2.CheckBox {
                checked: editor.renewSecret
                text: qsTr("Make a new introspection secret (the old one stops working)")
                visible: editor.introspection && editor.hadIntrospection

                onToggled: editor.renewSecret = checked
            }
            PlainLabel {
                Layout.fillWidth: true
                color: Theme.muted
                font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
                text: qsTr("A new secret is shown once, after saving. Tessera keeps only its hash.")
                visible: editor.introspection && (!editor.hadIntrospection || editor.renewSecret)
                wrapMode: Text.WordWrap
            }
            FieldError {
                Layout.fillWidth: true
                objectName: "formError"
                text: editor.formError
            }
        }
    }
}
