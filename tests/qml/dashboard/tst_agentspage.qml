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
        tryVerify(() => page.model.count >= 5, 5000);
        return page;
    }
    function selectAgent(page, clientId) {
        const list = findChild(page, "agentList");
        const i = page.model.indexOf(clientId);
        verify(i >= 0, "agent " + clientId);
        list.currentIndex = i;
        tryVerify(() => page.selected !== null && page.selected.clientId === clientId);
    }
    function test_claimed_and_verified_are_shown_apart() {
        const page = createPage();
        selectAgent(page, Fixture.ids.lookalike);
        compare(findChild(page, "agentTitle").text, "Claude Desktop");
        compare(findChild(page, "nameBadge").text, "Name not verified");
        verify(findChild(page, "identityNote").text.indexOf("not verified") >= 0);
        verify(!findChild(page, "verifiedDomain").visible);

        selectAgent(page, Fixture.ids.vscode);
        const domain = findChild(page, "verifiedDomain");
        verify(domain.visible);
        compare(domain.value, "vscode.dev");
        compare(findChild(page, "nameBadge").text, "Name not verified");

        selectAgent(page, Fixture.ids.goose);
        compare(findChild(page, "nameBadge").text, "Registered by you");
    }
    function test_keyboard_moves_through_agents() {
        const page = createPage();
        const list = findChild(page, "agentList");
        list.forceActiveFocus();
        list.currentIndex = 0;
        keyClick(Qt.Key_Down);
        compare(list.currentIndex, 1);
        compare(page.selected.clientId, page.model.get(1).clientId);
    }
    function test_revoke_everything_of_one_agent() {
        const page = createPage();
        selectAgent(page, Fixture.ids.backupScript);
        compare(page.selected.activeGrants, 1);
        const button = findChild(page, "revokeAllButton");
        verify(button.enabled);
        mouseClick(button);
        const dialog = findChild(page, "revokeAllDialog");
        tryCompare(dialog, "opened", true);
        mouseClick(findChild(dialog, "confirmButton"));
        tryCompare(dialog, "visible", false);
        compare(Fixture.grantState(Fixture.ids.backupNotesGrant), "revoked");
        tryCompare(page.selected, "activeGrants", 0);
        verify(!button.enabled);
        compare(Fixture.auditCount("client.revoked", Fixture.ids.backupScript), 1);
    }
    function test_forget_an_agent() {
        const page = createPage();
        const before = page.model.count;
        selectAgent(page, Fixture.ids.lookalike);
        mouseClick(findChild(page, "forgetButton"));
        const dialog = findChild(page, "forgetDialog");
        tryCompare(dialog, "opened", true);
        // Escape cancels: nothing happens.
        keyClick(Qt.Key_Escape);
        tryCompare(dialog, "visible", false);
        verify(Fixture.clientExists(Fixture.ids.lookalike));
        mouseClick(findChild(page, "forgetButton"));
        tryCompare(dialog, "opened", true);
        mouseClick(findChild(dialog, "confirmButton"));
        tryCompare(page.model, "count", before - 1);
        verify(!Fixture.clientExists(Fixture.ids.lookalike));
        compare(page.model.indexOf(Fixture.ids.lookalike), -1);
        compare(Fixture.auditCount("client.forgotten", Fixture.ids.lookalike), 1);
    }
    function test_show_grants_of_an_agent() {
        const page = createPage();
        selectAgent(page, Fixture.ids.claudeCode);
        const spy = signalSpy.createObject(testCase, {
                "target": page,
                "signalName": "showGrants"
            });
        mouseClick(findChild(page, "showAllGrants"));
        compare(spy.count, 1);
        compare(spy.signalArguments[0][0], Fixture.ids.claudeCode);
        const grants = findChild(page, "agentGrantTable");
        tryVerify(() => grants.count >= 1);
    }

    height: 800
    name: "AgentsPage"
    visible: true
    when: windowShown
    width: 1280

    Component {
        id: pageComponent

        AgentsPage {
            active: true
            height: testCase.height
            width: testCase.width
        }
    }
    Component {
        id: signalSpy

        SignalSpy {
        }
    }
}
