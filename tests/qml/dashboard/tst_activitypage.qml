// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import Tessera.App
import Tessera.Ui
import Tessera.DashboardTest

TestCase {
    id: testCase

    // TestCase has keyClick() for one key; type text the way a person would, key by key.
    function keyClicks(text) {
        for (const ch of text)
            keyClick(ch);
    }
    function createPage() {
        const page = createTemporaryObject(pageComponent, testCase);
        verify(page);
        tryVerify(() => page.model.count > 10, 5000);
        return page;
    }
    function test_search() {
        const page = createPage();
        const field = findChild(page, "searchField");
        field.forceActiveFocus();
        keyClicks("revoked by the person");
        tryCompare(page.model, "searchText", "revoked by the person");
        verify(page.model.count >= 1);
        for (let i = 0; i < page.model.count; ++i)
            verify(page.model.get(i).details.indexOf("revoked by the person") >= 0);
        keyClick(Qt.Key_Escape);
        compare(page.model.searchText, "");
        verify(!page.model.filtered);
    }
    // Fewer than 3 characters would scan the whole log: typing them does not search, Enter does.
    function test_short_search_waits_for_enter() {
        const page = createPage();
        const field = findChild(page, "searchField");
        field.forceActiveFocus();
        keyClicks("re");
        wait(600);
        compare(page.model.searchText, "");
        verify(!page.model.filtered);
        keyClick(Qt.Key_Return);
        compare(page.model.searchText, "re");
        // A third character searches again by itself, after a pause, not per keystroke.
        keyClicks("v");
        compare(page.model.searchText, "re");
        tryCompare(page.model, "searchText", "rev");
        // Back under 3 characters: the list is unfiltered again rather than stuck on "rev".
        keyClick(Qt.Key_Backspace);
        tryCompare(page.model, "searchText", "");
        keyClick(Qt.Key_Escape);
        compare(field.text, "");
    }
    function test_filter_by_kind_and_agent() {
        const page = createPage();
        findChild(page, "activityKindFilter").select("grant.created");
        tryCompare(page.model, "kindFilter", "grant.created");
        verify(page.model.count >= 8);
        for (let i = 0; i < page.model.count; ++i)
            compare(page.model.get(i).kind, "grant.created");
        findChild(page, "activityAgentFilter").select(Fixture.ids.claudeCode);
        tryCompare(page.model, "clientFilter", Fixture.ids.claudeCode);
        compare(page.model.count, 3);
    }
    function test_export_writes_the_current_filter() {
        const page = createPage();
        findChild(page, "activityKindFilter").select("grant.created");
        tryCompare(page.model, "kindFilter", "grant.created");
        const path = Fixture.tempDir + "/activity.csv";
        const spy = signalSpy.createObject(testCase, {
                "target": Dashboard,
                "signalName": "exportFinished"
            });
        page.exportTo(Fixture.fileUrl(path), "csv");
        spy.wait(10000);
        verify(spy.signalArguments[0][0], spy.signalArguments[0][1]);
        const lines = Fixture.readFile(path).split("\r\n").filter(l => l.length > 0);
        compare(lines[0], "seq,time_utc,kind,actor,client_id,client_name,resource,grant_id,summary,details,hash");
        compare(lines.length, page.model.count + 1);
        for (let i = 1; i < lines.length; ++i)
            verify(lines[i].indexOf(",grant.created,") > 0);
        verify(findChild(findChild(page, "activityNotice"), "noticeText").text.indexOf("activity.csv") >= 0);

        const jsonl = Fixture.tempDir + "/activity.jsonl";
        page.exportTo(Fixture.fileUrl(jsonl), "jsonl");
        tryCompare(spy, "count", 2, 10000);
        const records = Fixture.readFile(jsonl).trim().split("\n").map(l => JSON.parse(l));
        compare(records.length, page.model.count);
        compare(records[0].seq, page.model.get(0).seq);
    }
    function test_chain_badge() {
        const page = createPage();
        Dashboard.verifyChain();
        const badge = findChild(page, "chainBadge");
        tryCompare(badge, "text", "Chain intact", 10000);
        verify(!findChild(page, "chainBrokenNotice").visible);
    }
    function test_detail_of_an_event() {
        const page = createPage();
        const list = findChild(page, "eventList");
        list.forceActiveFocus();
        list.currentIndex = 0;
        keyClick(Qt.Key_Down);
        compare(list.currentIndex, 1);
        compare(page.selected.seq, page.model.get(1).seq);
    }

    height: 800
    name: "ActivityPage"
    visible: true
    when: windowShown
    width: 1280

    Component {
        id: pageComponent

        ActivityPage {
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
