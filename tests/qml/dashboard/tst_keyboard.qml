// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls as QQC2
import QtTest
import Tessera.App
import Tessera.Ui
import Tessera.DashboardTest

// The whole dashboard by keyboard alone: Ctrl+1…5 switch pages, Tab reaches every control of
// every page and comes back round (no trap), each stop has a name a screen reader can say,
// Enter and Space press buttons, Escape closes dialogs.
TestCase {
    id: testCase

    // What Tab must reach on each page, at least (objectName of the control).
    readonly property var mustReach: ({
            "agents": ["freezeButton", "agentList", "revokeAllButton", "forgetButton", "showAllGrants"],
            "grants": ["freezeButton", "stateFilter", "agentFilter", "resourceFilter", "sortOrder"],
            "resources": ["freezeButton", "addResource", "resourceList", "editResource", "removeResource", "copyMetadata"],
            "activity": ["freezeButton", "verifyChain", "exportButton", "searchField", "activityAgentFilter", "activityKindFilter", "eventList"],
            "settings": ["freezeButton", "defaultDuration", "promptTimeout", "defaultLifetime", "portBox", "startAtLogin"]
        })

    function cleanup() {
        Fixture.unfreeze();
    }
    function openMain() {
        const main = createTemporaryObject(mainComponent, testCase);
        verify(main);
        main.requestActivate();
        tryCompare(main, "active", true);
        // The page list has the focus when the window opens.
        tryVerify(() => findChild(main, "navRail").activeFocus, 2000, "nothing has the keyboard focus");
        return main;
    }
    // A control, or the control whose inside has the focus (a spin box's text, for one).
    function controlOf(item) {
        if (item && item.ListView.view)
            return item.ListView.view;
        return item && !item.objectName && item.parent && item.parent.contentItem === item ? item.parent : item;
    }
    function describe(item) {
        item = controlOf(item);
        return item ? (item.objectName || String(item)) : "nothing";
    }
    // Tab from the page list until focus comes back to it; the items it stopped on.
    function tabCycle(main) {
        const nav = findChild(main, "navRail");
        nav.forceActiveFocus();
        verify(nav.activeFocus);
        const stops = [];
        for (let i = 0; i < 120; ++i) {
            keyClick(Qt.Key_Tab);
            const item = main.activeFocusItem;
            if (nav.activeFocus)
                return stops;
            verify(item, "Tab left the window after " + stops.map(describe).join(", "));
            verify(stops.indexOf(item) < 0, "Tab went round without returning to the page list: " + stops.map(describe).join(", ") + " → " + describe(item));
            stops.push(item);
        }
        fail("Tab never came back to the page list: " + stops.map(describe).join(", "));
        return stops;
    }
    // Selects an agent that still has active grants (other tests revoke some): a new one if needed.
    function selectAgentWithGrants(main) {
        const list = findChild(main, "agentList");
        const find = () => {
            for (let i = 0; i < list.model.count; ++i) {
                if (list.model.get(i).activeGrants > 0)
                    return i;
            }
            return -1;
        };
        if (find() < 0) {
            verify(Fixture.authorize().grantId.length > 0);
            list.model.refresh();
        }
        const row = find();
        verify(row >= 0, "no agent with active grants");
        list.currentIndex = row;
        return list.model.get(row);
    }
    function isVisibleOnScreen(item) {
        for (let p = item; p; p = p.parent) {
            if (!p.visible)
                return false;
        }
        return true;
    }
    function test_ctrl_digits_switch_pages() {
        const main = openMain();
        const keys = main.pageNames();
        wait(50);
        compare(keys.length, 5);
        for (let i = keys.length - 1; i >= 0; --i) {
            keySequence("Ctrl+" + (i + 1));
            compare(main.currentPage, i);
            compare(findChild(main, "navRail").currentIndex, i);
        }
        // The page list itself: Down and Enter open the next page.
        const nav = findChild(main, "navRail");
        nav.forceActiveFocus();
        keyClick(Qt.Key_Down);
        keyClick(Qt.Key_Return);
        compare(main.currentPage, 1);
    }
    function test_tab_reaches_every_control_with_a_name_data() {
        return ["agents", "grants", "resources", "activity", "settings"].map(k => ({
                    "tag": k,
                    "page": k
                }));
    }
    function test_tab_reaches_every_control_with_a_name(data) {
        const main = openMain();
        main.showPage(data.page);
        // With something selected, so the detail pane's buttons are there too.
        for (const list of ["resourceList", "eventList"])
            findChild(main, list).currentIndex = 0;
        selectAgentWithGrants(main);
        tryVerify(() => isVisibleOnScreen(findChild(main, data.page + "Page")));
        wait(50);
        const stops = tabCycle(main);
        const names = stops.map(s => controlOf(s).objectName);
        for (const wanted of testCase.mustReach[data.page])
            verify(names.indexOf(wanted) >= 0, "Tab does not reach " + wanted + " on " + data.page + ": " + stops.map(describe).join(", "));
        for (const item of stops) {
            verify(isVisibleOnScreen(item), describe(item) + " takes the focus while hidden");
            verify(Fixture.accessibleName(controlOf(item)).length > 0, describe(item) + " on " + data.page + " has no accessible name");
        }
        // Shift+Tab goes the same way back.
        keyClick(Qt.Key_Tab);
        compare(main.activeFocusItem, stops[0]);
        keyClick(Qt.Key_Backtab);
        verify(findChild(main, "navRail").activeFocus);
    }
    function test_enter_and_space_press_buttons_escape_closes() {
        const main = openMain();
        main.showPage("resources");
        const add = findChild(main, "addResource");
        const dialog = findChild(main, "resourceDialog");
        tryVerify(() => isVisibleOnScreen(add));
        add.forceActiveFocus();
        compare(main.activeFocusItem, add);
        keyClick(Qt.Key_Return);
        tryCompare(dialog, "opened", true);
        verify(findChild(main, "displayNameField").activeFocus);
        keyClick(Qt.Key_Escape);
        tryCompare(dialog, "visible", false);
        add.forceActiveFocus();
        keyClick(Qt.Key_Space);
        tryCompare(dialog, "opened", true);
        keyClick(Qt.Key_Escape);
        tryCompare(dialog, "visible", false);
        // Enter on the Freeze button freezes; Space on it unfreezes.
        const freeze = findChild(main, "freezeButton");
        freeze.forceActiveFocus();
        compare(main.activeFocusItem, freeze);
        keyClick(Qt.Key_Enter);
        verify(StatusController.frozen);
        keyClick(Qt.Key_Space);
        verify(!StatusController.frozen);
    }
    function test_confirm_dialog_by_keyboard() {
        const main = openMain();
        main.showPage("agents");
        const list = findChild(main, "agentList");
        const agent = selectAgentWithGrants(main);
        const revokeAll = findChild(main, "revokeAllButton");
        tryVerify(() => isVisibleOnScreen(revokeAll) && revokeAll.enabled);
        const dialog = findChild(main, "revokeAllDialog");
        const clientId = agent.clientId;
        const active = agent.activeGrants;
        verify(active > 0);
        revokeAll.forceActiveFocus();
        compare(main.activeFocusItem, revokeAll);
        keyClick(Qt.Key_Return);
        tryCompare(dialog, "opened", true);
        // Cancel has the focus: Enter there cancels, Escape too; nothing is revoked.
        verify(Fixture.accessibleName(main.activeFocusItem) === "Cancel", describe(main.activeFocusItem));
        keyClick(Qt.Key_Return);
        tryCompare(dialog, "visible", false);
        compare(list.model.get(list.model.indexOf(clientId)).activeGrants, active);
        revokeAll.forceActiveFocus();
        keyClick(Qt.Key_Space);
        tryCompare(dialog, "opened", true);
        keyClick(Qt.Key_Escape);
        tryCompare(dialog, "visible", false);
        compare(list.model.get(list.model.indexOf(clientId)).activeGrants, active);
        // Focus goes back where it was, so the person can carry on from there.
        tryVerify(() => main.activeFocusItem === revokeAll, 1000, describe(main.activeFocusItem));
    }

    height: 200
    name: "Keyboard"
    visible: true
    when: windowShown
    width: 200

    Component {
        id: mainComponent

        Main {
        }
    }
}
