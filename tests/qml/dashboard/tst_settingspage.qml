// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Tessera.App
import Tessera.Ui
import Tessera.DashboardTest

TestCase {
    id: testCase

    function createPage() {
        const page = createTemporaryObject(pageComponent, testCase);
        verify(page);
        return page;
    }
    function test_prompt_timeout() {
        const page = createPage();
        const box = findChild(page, "promptTimeout");
        compare(box.value, SettingsController.promptTimeoutSecs);
        const before = box.value;
        box.forceActiveFocus();
        keyClick(Qt.Key_Up);
        compare(SettingsController.promptTimeoutSecs, before + 15);
        keyClick(Qt.Key_Down);
        compare(SettingsController.promptTimeoutSecs, before);
    }
    function test_default_duration_with_the_keyboard() {
        const page = createPage();
        const box = findChild(page, "defaultDuration");
        compare(box.currentValue, SettingsController.defaultDuration);
        box.forceActiveFocus();
        keyClick(Qt.Key_Down);
        compare(SettingsController.defaultDuration, box.currentValue);
        compare(SettingsController.defaultDuration, "1d");
    }
    function test_start_at_login() {
        const page = createPage();
        const toggle = findChild(page, "startAtLogin");
        verify(!toggle.checked);
        mouseClick(toggle);
        verify(SettingsController.startAtLogin);
        verify(Fixture.fileExists(SettingsController.autostartPath));
        verify(Fixture.readFile(SettingsController.autostartPath).indexOf("Exec=\"/opt/Tessera Test/bin/tessera\"") >= 0);
        mouseClick(toggle);
        verify(!SettingsController.startAtLogin);
        verify(!Fixture.fileExists(SettingsController.autostartPath));
    }
    function test_port_says_restart() {
        const page = createPage();
        const note = findChild(page, "restartNote");
        verify(!note.visible);
        const box = findChild(page, "portBox");
        box.forceActiveFocus();
        keyClick(Qt.Key_Up);
        verify(SettingsController.portRestartNeeded);
        verify(note.visible);
        keyClick(Qt.Key_Down);
        verify(!SettingsController.portRestartNeeded);
        verify(!note.visible);
    }

    height: 800
    name: "SettingsPage"
    visible: true
    when: windowShown
    width: 1280

    Component {
        id: pageComponent

        SettingsPage {
            active: true
            height: testCase.height
            width: testCase.width
        }
    }
}
