// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// What: the resource, the new scopes to tick or untick (partial consent), high-risk ones
// highlighted, and apart from them what is already allowed (step-up).
PromptCard {
    id: root

    // R12: where the last requested scope ends, in @p target's coordinates; -1 while the rows
    // are not all made and laid out yet (never "seen" early).
    function askedBottom(target) {
        const rows = ConsentController.scopes.newCount + ConsentController.scopes.grantedCount;
        if (rows === 0 || newRows.count !== rows || grantedRows.count !== rows)
            return -1;
        let bottom = -1;
        for (const repeater of [newRows, grantedRows]) {
            for (let i = 0; i < repeater.count; ++i) {
                const item = repeater.itemAt(i);
                if (!item)
                    return -1;
                if (!item.visible)
                    continue;
                if (item.height <= 0)
                    return -1;
                bottom = Math.max(bottom, item.mapToItem(target, 0, item.height).y);
            }
        }
        return bottom;
    }

    function joined(list) {
        let out = "";
        for (let i = 0; i < list.length; ++i)
            out += (i > 0 ? ", " : "") + list[i];
        return out;
    }

    title: qsTr("What it wants")

    PromptFact {
        key: qsTr("Resource")
        value: ConsentController.resourceName
        visible: ConsentController.resourceName !== ""
    }
    PromptFact {
        key: qsTr("Address")
        monospace: true
        value: ConsentController.resourceUri
        visible: ConsentController.resourceUri !== ""
    }
    PromptFact {
        key: qsTr("Secrets")
        monospace: true
        value: root.joined(ConsentController.secrets)
        visible: ConsentController.secrets.length > 0
    }
    PlainLabel {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        font.bold: true
        text: ConsentController.scopes.grantedCount > 0 ? qsTr("New permissions") : qsTr("Permissions")
        visible: ConsentController.scopes.newCount > 0
    }
    PlainLabel {
        Layout.fillWidth: true
        color: Theme.muted
        text: qsTr("Untick what you do not want to give.")
        visible: ConsentController.scopes.newCount > 1
        wrapMode: Text.WordWrap
    }
    Repeater {
        id: newRows

        model: ConsentController.scopes

        delegate: Rectangle {
            id: scopeRow

            required property bool alreadyGranted
            required property bool checked
            required property string description
            required property bool highRisk
            required property int index
            required property string name

            Layout.fillWidth: true
            border.color: scopeRow.highRisk ? Theme.danger : "transparent"
            color: scopeRow.highRisk ? Theme.dangerTint : "transparent"
            implicitHeight: scopeLayout.implicitHeight + Theme.spacing
            radius: Theme.radius
            visible: !scopeRow.alreadyGranted

            RowLayout {
                id: scopeLayout

                anchors.left: parent.left
                anchors.leftMargin: Theme.spacing / 2
                anchors.right: parent.right
                anchors.rightMargin: Theme.spacing
                anchors.verticalCenter: parent.verticalCenter
                spacing: Theme.spacing

                QQC2.CheckBox {
                    id: box

                    objectName: "scope_" + scopeRow.name
                    Accessible.description: scopeRow.description
                    Accessible.name: scopeRow.highRisk ? qsTr("Allow %1, high risk").arg(scopeRow.name) : qsTr("Allow %1").arg(scopeRow.name)
                    Layout.alignment: Qt.AlignTop
                    checked: scopeRow.checked

                    // Every change, whatever caused it (click, key, accessibility, script),
                    // lands in the controller's state, which is what an approval reads.
                    onCheckedChanged: ConsentController.scopes.setChecked(scopeRow.index, box.checked)
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 0

                    PlainLabel {
                        Layout.fillWidth: true
                        font.bold: true
                        font.family: Theme.monospaceFamily
                        text: scopeRow.name
                        wrapMode: Text.WrapAnywhere
                    }
                    PlainLabel {
                        Layout.fillWidth: true
                        color: Theme.muted
                        text: scopeRow.description !== "" ? scopeRow.description : qsTr("No description")
                        wrapMode: Text.WordWrap
                    }
                }
                RiskBadge {
                    Layout.alignment: Qt.AlignTop
                    text: qsTr("High risk")
                    tone: "danger"
                    visible: scopeRow.highRisk
                }
            }
        }
    }
    PlainLabel {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        font.bold: true
        text: qsTr("Already allowed")
        visible: ConsentController.scopes.grantedCount > 0
    }
    Repeater {
        id: grantedRows

        model: ConsentController.scopes

        delegate: RowLayout {
            id: grantedRow

            required property bool alreadyGranted
            required property string description
            required property string heldUntil
            required property string name

            Layout.fillWidth: true
            spacing: Theme.spacing
            visible: grantedRow.alreadyGranted

            PlainLabel {
                color: Theme.muted
                font.family: Theme.monospaceFamily
                text: grantedRow.name
            }
            PlainLabel {
                Layout.fillWidth: true
                color: Theme.muted
                elide: Text.ElideRight
                text: grantedRow.description
            }
            PlainLabel {
                color: Theme.muted
                objectName: "heldUntil_" + grantedRow.name
                text: grantedRow.heldUntil
                visible: grantedRow.heldUntil !== ""
            }
        }
    }
    QQC2.CheckBox {
        // R10: extending what is held is a choice made with its ends on screen, never a default.
        objectName: "extendHeldBox"
        Accessible.name: text
        checked: ConsentController.extendHeld
        text: qsTr("Also give the permissions already allowed the duration you choose for the new ones")
        visible: ConsentController.scopes.grantedCount > 0

        onToggled: ConsentController.extendHeld = checked
    }
}
