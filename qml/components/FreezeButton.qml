// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import Tessera.App
import Tessera.Ui

// The kill switch (product.md flow 5), in the header of every page. Frozen: every token
// stops, waiting requests are denied, new ones refused, until the person unfreezes.
QQC2.Button {
    id: root

    // Its own component so that contentItem, a deferred property, holds no id.
    component Snowflake: Canvas {
        id: flake

        property color ink

        height: 14
        width: 14

        onInkChanged: flake.requestPaint()
        onPaint: {
            const ctx = flake.getContext("2d");
            ctx.reset();
            ctx.strokeStyle = flake.ink;
            ctx.lineWidth = 1.6;
            ctx.lineCap = "round";
            const c = flake.width / 2;
            for (let i = 0; i < 3; ++i) {
                const a = i * Math.PI / 3;
                const dx = Math.cos(a) * (c - 1), dy = Math.sin(a) * (c - 1);
                ctx.beginPath();
                ctx.moveTo(c - dx, c - dy);
                ctx.lineTo(c + dx, c + dy);
                ctx.stroke();
            }
        }
    }

    readonly property bool frozen: StatusController.frozen

    function toggle() {
        StatusController.setFrozen(!root.frozen);
    }

    Accessible.description: root.frozen ? qsTr("Tessera is frozen. Press to let agents use their grants again.") : qsTr("Stop every token and refuse every request until you unfreeze.")
    Accessible.name: root.frozen ? qsTr("Unfreeze") : qsTr("Freeze everything")
    QQC2.ToolTip.delay: 500
    QQC2.ToolTip.text: Accessible.description
    QQC2.ToolTip.visible: root.hovered
    objectName: "freezeButton"
    text: root.frozen ? qsTr("Unfreeze") : qsTr("Freeze")

    background: Rectangle {
        border.color: root.frozen ? Theme.frozen : Theme.divider
        border.width: root.visualFocus ? 2 : 1
        color: root.frozen ? (root.down ? Qt.darker(Theme.frozen, 1.2) : Theme.frozen) : (root.down ? Theme.rowSelected : root.hovered ? Theme.rowHover : "transparent")
        implicitHeight: 32
        implicitWidth: 110
        radius: Theme.radius

        Rectangle {
            anchors.fill: parent
            anchors.margins: -3
            border.color: Theme.focusRing
            border.width: 2
            color: "transparent"
            radius: Theme.radius + 3
            visible: root.visualFocus
        }
    }
    contentItem: Row {
        spacing: Theme.spacing

        // A snowflake drawn, not a font glyph: it must render the same everywhere.
        Snowflake {
            anchors.verticalCenter: parent.verticalCenter
            ink: root.frozen ? Theme.frozenInk : Theme.palette.buttonText
        }
        PlainLabel {
            anchors.verticalCenter: parent.verticalCenter
            color: root.frozen ? Theme.frozenInk : Theme.palette.buttonText
            font.bold: true
            text: root.text
        }
    }

    Accessible.onPressAction: root.toggle()
    onClicked: root.toggle()
}
