// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Tessera.App
import Tessera.Ui
import Tessera.DashboardTest

TestCase {
    id: testCase

    function cleanup() {
        Fixture.unfreeze();
    }
    function test_freeze_button_and_banner() {
        const button = createTemporaryObject(buttonComponent, testCase);
        const banner = createTemporaryObject(bannerComponent, testCase, {
                "y": 60
            });
        verify(!StatusController.frozen);
        compare(button.text, "Freeze");
        verify(!banner.visible);
        mouseClick(button);
        verify(StatusController.frozen);
        compare(button.text, "Unfreeze");
        verify(banner.visible);
        compare(Fixture.auditCount("freeze.on"), 1);
        mouseClick(findChild(banner, "bannerUnfreeze"));
        verify(!StatusController.frozen);
        verify(!banner.visible);
        // The keyboard reaches it too.
        button.forceActiveFocus();
        keyClick(Qt.Key_Space);
        verify(StatusController.frozen);
        keyClick(Qt.Key_Space);
        verify(!StatusController.frozen);
    }
    function test_main_window_has_it_on_every_page() {
        const main = createTemporaryObject(mainComponent, testCase);
        verify(main);
        main.requestActivate();
        tryCompare(main, "active", true);
        const button = findChild(main, "freezeButton");
        verify(button);
        for (const key of ["agents", "grants", "resources", "activity", "settings"]) {
            main.showPage(key);
            verify(button.visible);
        }
        mouseClick(button);
        verify(StatusController.frozen);
        verify(findChild(main, "frozenBanner").visible);
        verify(main.title.indexOf("frozen") >= 0);
        compare(findChild(main, "statusLine").text, "Frozen: no tokens, every request refused");
        Fixture.unfreeze();
        verify(!findChild(main, "frozenBanner").visible);
        // Ctrl+1…5 switch pages.
        keySequence("Ctrl+4");
        compare(main.currentPage, 3);
        keySequence("Ctrl+1");
        compare(main.currentPage, 0);
    }

    height: 300
    name: "Freeze"
    visible: true
    when: windowShown
    width: 800

    Component {
        id: buttonComponent

        FreezeButton {
        }
    }
    Component {
        id: bannerComponent

        FrozenBanner {
            width: 800
        }
    }
    Component {
        id: mainComponent

        Main {
        }
    }
}
