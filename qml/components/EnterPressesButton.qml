// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick

// Enter or Return presses the push button that has the keyboard focus, as Space does: Qt
// Quick Controls 6.4 buttons answer Space only. Put one in each window or modal dialog of the
// dashboard with focusItem bound to its active focus item; it stays out of the way of text
// fields and lists (their own Enter), check boxes and switches (Space toggles them). Never used
// by the consent prompt, where Enter alone must not approve.
Shortcut {
    id: root

    property Item focusItem
    // Qt 6.4's instanceof does not see C++ control types: a push button is what has clicked(),
    // autoRepeat and checkable, and is not checkable.
    readonly property var button: {
        const item = root.focusItem;
        if (!item || typeof item.clicked !== "function" || item.autoRepeat === undefined || item.checkable !== false)
            return null;
        return item.enabled && item.visible ? item : null;
    }

    enabled: root.button !== null
    sequences: ["Return", "Enter"]

    onActivated: root.button.clicked()
}
