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
        tryVerify(() => findChild(page, "grantTable").count > 0, 5000);
        return page;
    }
    function rowsMatch(model, role, value) {
        for (let i = 0; i < model.rowCount(); ++i) {
            if (model.get(i)[role] !== value)
                return false;
        }
        return true;
    }
    function test_filters_change_the_model() {
        const page = createPage();
        const model = page.model;
        compare(model.stateFilter, "active");
        verify(rowsMatch(model, "grantState", "active"));
        const active = model.totalCount;
        verify(active >= 1);
        compare(findChild(page, "grantCount").text, active === 1 ? "1 grant" : active + " grants");

        findChild(page, "stateFilter").select("revoked");
        tryCompare(model, "stateFilter", "revoked");
        verify(model.rowCount() >= 1);
        verify(rowsMatch(model, "grantState", "revoked"));

        findChild(page, "stateFilter").select("any");
        page.showAgent(Fixture.ids.claudeCode);
        tryCompare(model, "clientFilter", Fixture.ids.claudeCode);
        compare(model.stateFilter, "any");
        verify(model.rowCount() >= 3);
        verify(rowsMatch(model, "clientId", Fixture.ids.claudeCode));

        findChild(page, "agentFilter").select("");
        findChild(page, "resourceFilter").select(Fixture.ids.githubResource);
        tryCompare(model, "resourceFilter", Fixture.ids.githubResource);
        verify(rowsMatch(model, "resourceName", "github"));

        findChild(page, "sortOrder").select("lastUsed");
        tryCompare(model, "sortOrder", "lastUsed");
        compare(model.get(0).grantId, Fixture.ids.claudeGithubGrant);
    }
    function test_revoke_leaves_the_active_view_and_really_revokes() {
        const flow = Fixture.authorize();
        verify(flow.refreshToken.length > 0);
        const page = createPage();
        const table = findChild(page, "grantTable");
        tryVerify(() => findChild(table, "grantRow_" + flow.grantId) !== null, 5000);
        const row = findChild(table, "grantRow_" + flow.grantId);
        compare(findChild(row, "stateBadge").text, "Active");
        const button = findChild(row, "revokeButton");
        verify(button.visible && button.enabled);
        mouseClick(button);

        // Issue 10.6: the page shows what its filter ("Active") says, and its count matches.
        tryCompare(page.model, "totalCount", page.model.rowCount());
        compare(page.model.indexOf(flow.grantId), -1);
        tryCompare(table, "count", page.model.rowCount());
        const n = page.model.totalCount;
        compare(findChild(page, "grantCount").text, n === 1 ? "1 grant" : n + " grants");
        verify(findChild(page, "noticeText").text.indexOf("introspection") >= 0);
        // Under "All" the row says Revoked, "revoked just now" (not "in a moment").
        findChild(page, "stateFilter").select("any");
        tryCompare(page.model, "stateFilter", "any");
        tryVerify(() => findChild(table, "grantRow_" + flow.grantId) !== null, 5000);
        const revokedRow = findChild(table, "grantRow_" + flow.grantId);
        compare(findChild(revokedRow, "stateBadge").text, "Revoked");
        verify(!findChild(revokedRow, "revokeButton").visible);
        compare(findChild(revokedRow, "expiresText").text, "revoked just now");
        compare(page.model.get(page.model.indexOf(flow.grantId)).grantState, "revoked");
        // Behind the UI: the store, and the token endpoint the agent would call.
        compare(Fixture.grantState(flow.grantId), "revoked");
        compare(Fixture.refresh(flow.refreshToken), "invalid_grant");
        compare(Fixture.auditCount("grant.revoked", flow.grantId), 1);
    }
    function test_revoke_with_the_keyboard() {
        const flow = Fixture.authorize();
        const page = createPage();
        const table = findChild(page, "grantTable");
        tryVerify(() => page.model.indexOf(flow.grantId) === 0, 5000);
        table.forceActiveFocus();
        table.currentIndex = 0;
        verify(findChild(page, "revokeSelected").enabled);
        keyClick(Qt.Key_Delete);
        tryVerify(() => Fixture.grantState(flow.grantId) === "revoked", 3000);
        compare(page.model.indexOf(flow.grantId), -1); // out of the "Active" view (issue 10.6)
    }

    height: 800
    name: "GrantsPage"
    visible: true
    when: windowShown
    width: 1280

    Component {
        id: pageComponent

        GrantsPage {
            active: true
            height: testCase.height
            width: testCase.width
        }
    }
}
