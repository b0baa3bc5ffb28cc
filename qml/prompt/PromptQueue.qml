// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// The other requests waiting behind this one, in arrival order: none is ever dropped.
PromptCard {
    id: root

    title: qsTr("Also waiting: %n more", "", ConsentController.count - 1)
    visible: ConsentController.count > 1

    Repeater {
        model: ConsentController.queue

        delegate: RowLayout {
            id: queueRow

            required property string clientName
            required property int index
            required property int mergedCount
            required property string requestId
            required property string resourceName

            objectName: "queueRow_" + queueRow.index
            Layout.fillWidth: true
            spacing: Theme.spacing
            visible: queueRow.requestId !== ConsentController.requestId

            PlainLabel {
                color: Theme.muted
                text: qsTr("%1.").arg(queueRow.index + 1)
            }
            PlainLabel {
                objectName: "queueName"
                Layout.fillWidth: true
                Layout.maximumWidth: implicitWidth
                elide: Text.ElideRight
                text: queueRow.clientName !== "" ? queueRow.clientName : qsTr("(no name given)")
            }
            PlainLabel {
                Layout.fillWidth: true
                color: Theme.muted
                elide: Text.ElideRight
                text: queueRow.mergedCount > 1 ? qsTr("→ %1 · asked %2 times").arg(queueRow.resourceName).arg(queueRow.mergedCount) : qsTr("→ %1").arg(queueRow.resourceName)
            }
        }
    }
}
