// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import Tessera.Ui

// A ComboBox over [{value, text}] whose entries are drawn as plain text: agent names in the
// filters are client-supplied and must never be read as rich text.
QQC2.ComboBox {
    id: root

    // Selects the entry with this value (or the first one).
    function select(value) {
        const i = root.indexOfValue(value);
        root.currentIndex = i >= 0 ? i : 0;
    }

    textRole: "text"
    valueRole: "value"

    delegate: QQC2.ItemDelegate {
        id: entry

        required property int index
        required property var modelData

        highlighted: root.highlightedIndex === entry.index
        width: ListView.view ? ListView.view.width : implicitWidth

        contentItem: PlainLabel {
            elide: Text.ElideRight
            font.bold: root.currentIndex === entry.index
            text: entry.modelData.text
            verticalAlignment: Text.AlignVCenter
        }
    }
}
