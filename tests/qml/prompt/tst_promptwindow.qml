// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Window
import QtTest
import Tessera.App
import Tessera.Ui
import Tessera.PromptTest

// The consent prompt window against a real broker (PromptFixture): the Approve delay,
// the keyboard, partial consent, step-up, the queue, the timeout and hostile names.
// Functions run in alphabetical order and the singletons live on: init() resets everything.
TestCase {
    id: tc

    property QtObject win: null
    property double shownAt: 0

    function approveButton() {
        return findChild(win.contentItem, "approveButton");
    }
    function denyButton() {
        return findChild(win.contentItem, "denyButton");
    }
    function scopeBox(name) {
        return findChild(win.contentItem, "scope_" + name);
    }
    function waitForPrompt() {
        tryVerify(() => win.visible && win.active, 5000, "the prompt is shown and active");
        shownAt = Date.now();
    }
    function waitUntilArmed() {
        tryVerify(() => ConsentController.armed, 5000, "Approve arms");
    }
    function focusedName() {
        return win.activeFocusItem ? win.activeFocusItem.objectName : "";
    }

    name: "PromptWindow"
    when: windowShown

    function init() {
        PromptFixture.reset();
        PromptFixture.setArmDelayMs(400);
        // No parent, like the app's prompt (engine.load): a window with a transient parent
        // counts as active whenever a window of that family has the focus (QWindow::isActive).
        win = createTemporaryObject(promptComponent, null);
        verify(win !== null);
        verify(!win.visible, "hidden until a request arrives");
    }
    function cleanup() {
        PromptFixture.reset();
    }

    // G1: nothing approves before the window has been in front for the delay.
    function test_armDelay() {
        const id = PromptFixture.submit({});
        verify(id !== "");
        waitForPrompt();
        verify(!approveButton().enabled);
        verify(!ConsentController.approve("1h"), "a direct call is refused too");
        mouseClick(approveButton());
        keyClick(Qt.Key_A, Qt.AltModifier);
        compare(PromptFixture.outcome(id), "", "still pending");
        compare(findChild(win.contentItem, "approveHint").text, qsTr("Approve unlocks when this window has been in front for a moment."));
        waitUntilArmed();
        verify(Date.now() - shownAt >= 350, "armed no earlier than the delay");
        verify(approveButton().enabled);
        mouseClick(approveButton());
        compare(PromptFixture.outcome(id), "approved");
        compare(PromptFixture.decidedScopes(id), ["files:read", "files:write"]);
        compare(PromptFixture.decidedDuration(id), "1h");
        tryVerify(() => !win.visible, 2000, "the window hides once nothing waits");
    }

    // Issue 9 R12: what is asked comes first, and Approve stays disarmed until every requested
    // scope has been on screen, however long the window has been in front.
    function test_R12_tenScopesMustAllBeSeenBeforeApprove() {
        const ten = ["s0:read", "s1:read", "s2:read", "s3:read", "s4:read", "s5:read", "s6:read", "s7:read", "s8:read", "files:write"];
        win.height = 380; // too short for ten scopes: the last ones sit below the fold
        const id = PromptFixture.submit({ "scopes": ten });
        waitForPrompt();
        const content = findChild(win.contentItem, "promptContent");
        verify(content !== null);
        tryVerify(() => content.contentHeight > content.height + 50, 3000, "the list overflows");
        wait(800); // twice the arm delay
        verify(!ConsentController.requestSeen, "the last scopes were never on screen");
        verify(!ConsentController.armed);
        verify(!approveButton().enabled);
        verify(!ConsentController.approve("1h"), "a direct call is refused too");
        compare(PromptFixture.outcome(id), "");
        compare(findChild(win.contentItem, "approveHint").text, qsTr("Scroll down: Approve unlocks once every permission asked for has been on screen."));
        // Scroll to the end: now everything asked has been seen, and Approve arms.
        content.contentY = content.contentHeight - content.height;
        tryVerify(() => ConsentController.requestSeen, 2000);
        waitUntilArmed();
        mouseClick(approveButton());
        compare(PromptFixture.outcome(id), "approved");
        compare(PromptFixture.decidedScopes(id).length, 10);
    }
    function test_R12_whatIsAskedComesBeforeTheRequester() {
        const id = PromptFixture.submit({ "scopes": ["s0:read", "s1:read", "s2:read", "s3:read", "s4:read", "s5:read", "s6:read", "s7:read", "s8:read", "files:write"] });
        waitForPrompt();
        const content = findChild(win.contentItem, "promptContent");
        const lastScope = findChild(win.contentItem, "scope_files:write");
        const requester = findChild(win.contentItem, "promptRequester");
        verify(lastScope !== null && requester !== null);
        tryVerify(() => lastScope.mapToItem(content.contentItem, 0, 0).y > 0, 2000, "laid out");
        // Every requested scope sits above the requester's facts.
        verify(lastScope.mapToItem(content.contentItem, 0, lastScope.height).y <= requester.mapToItem(content.contentItem, 0, 0).y);
        // At the default size, Approve arms only once the whole list has been inside the view.
        wait(800);
        const bottom = lastScope.mapToItem(content.contentItem, 0, lastScope.height).y;
        if (ConsentController.requestSeen)
            verify(content.contentY + content.height >= bottom - 1, "seen only when the last scope is in view");
        if (!ConsentController.requestSeen)
            content.contentY = content.contentHeight - content.height;
        waitUntilArmed();
        compare(PromptFixture.outcome(id), "");
    }

    function test_altAApprovesOnlyWhenArmed() {
        const id = PromptFixture.submit({});
        waitForPrompt();
        keyClick(Qt.Key_A, Qt.AltModifier);
        compare(PromptFixture.outcome(id), "");
        waitUntilArmed();
        keyClick(Qt.Key_A, Qt.AltModifier);
        compare(PromptFixture.outcome(id), "approved");
    }

    function test_closingDeniesAndShowsTheNext() {
        const first = PromptFixture.submit({
                "clientId": "agent-a",
                "clientName": "Agent A"
            });
        const second = PromptFixture.submit({
                "clientId": "agent-b",
                "clientName": "Agent B"
            });
        waitForPrompt();
        win.close();
        compare(PromptFixture.outcome(first), "denied");
        compare(ConsentController.requestId, second);
        verify(win.visible, "the next request keeps the window open");
        win.close();
        compare(PromptFixture.outcome(second), "denied");
        tryVerify(() => !win.visible);
    }

    function test_defaultDurationFromSettings() {
        PromptFixture.setDefaultDuration("1d");
        const id = PromptFixture.submit({});
        waitForPrompt();
        compare(findChild(win.contentItem, "durationBox").currentValue, "1d");
        waitUntilArmed();
        mouseClick(approveButton());
        compare(PromptFixture.decidedDuration(id), "1d");
    }

    function test_enterNeverApproves() {
        const id = PromptFixture.submit({});
        waitForPrompt();
        // During the delay Enter is ignored, not taken as an answer.
        keyClick(Qt.Key_Return);
        keyClick(Qt.Key_Enter);
        compare(PromptFixture.outcome(id), "");
        waitUntilArmed();
        // Focus on a scope: Enter still means the default button, Deny.
        scopeBox("files:read").forceActiveFocus();
        keyClick(Qt.Key_Return);
        compare(PromptFixture.outcome(id), "denied");
    }

    function test_escapeDenies() {
        const id = PromptFixture.submit({});
        waitForPrompt();
        keyClick(Qt.Key_Escape);
        compare(PromptFixture.outcome(id), "denied", "at once, no delay for no");
    }

    function test_focusLossDisarms() {
        const id = PromptFixture.submit({});
        waitForPrompt();
        waitUntilArmed();
        const other = createTemporaryObject(otherWindow, tc);
        other.show();
        other.requestActivate();
        tryVerify(() => !win.active, 3000, "another window took the focus");
        verify(!ConsentController.armed);
        verify(!ConsentController.approve("1h"));
        win.requestActivate();
        tryVerify(() => win.active, 3000);
        const back = Date.now();
        verify(!ConsentController.armed, "re-arming takes the full delay again");
        verify(!ConsentController.approve("1h"));
        waitUntilArmed();
        verify(Date.now() - back >= 350);
        verify(ConsentController.approve("1h"));
        compare(PromptFixture.outcome(id), "approved");
    }

    function test_hostileNameIsPlainText() {
        const hostile = "<b>Claude</b> <img src=\"file:///etc/passwd\"> \u202Eexe.dll\u202C <a href=\"https://evil.example\">x</a>";
        const lookalike = "Cl\u0430ude";
        const first = PromptFixture.submit({
                "clientId": "agent-a",
                "clientName": hostile
            });
        PromptFixture.submit({
                "clientId": "agent-b",
                "clientName": lookalike
            });
        waitForPrompt();
        const label = findChild(win.contentItem, "clientNameLabel");
        // Plain text, and the bidi controls shown escaped instead of reordering the line (R1).
        compare(label.text, hostile.replace("\u202E", "\\u{202E}").replace("\u202C", "\\u{202C}"), "shown as sent, controls escaped");
        verify(label.text.indexOf("\u202E") < 0 && label.text.indexOf("<b>Claude</b>") === 0);
        compare(label.textFormat, Text.PlainText);
        label.textFormat = Text.RichText;
        compare(label.textFormat, Text.PlainText, "PlainLabel refuses rich text");
        verify(ConsentController.warnings.some(w => w.indexOf("direction-changing") >= 0), "bidi override flagged");
        const row = findChild(win.contentItem, "queueRow_1");
        compare(findChild(row, "queueName").text, lookalike);
        compare(findChild(row, "queueName").textFormat, Text.PlainText);
        keyClick(Qt.Key_Escape);
        compare(PromptFixture.outcome(first), "denied");
        verify(ConsentController.warnings.some(w => w.indexOf("Cyrillic") >= 0), "mixed scripts flagged");
    }

    function test_partialConsent() {
        const id = PromptFixture.submit({
                "scopes": ["files:read", "files:write", "files:list"]
            });
        waitForPrompt();
        waitUntilArmed();
        // A click unticks one; script assignments (what a synthetic toggle does) untick the others.
        mouseClick(scopeBox("files:write"));
        verify(!scopeBox("files:write").checked);
        scopeBox("files:list").checked = false;
        scopeBox("files:read").toggle();
        compare(ConsentController.scopes.checkedNewCount, 0, "the controller saw every change");
        verify(!approveButton().enabled, "nothing ticked: nothing to approve");
        verify(!ConsentController.approve("1h"));
        verify(ConsentController.lastError !== "");
        scopeBox("files:read").toggle();
        mouseClick(approveButton());
        compare(PromptFixture.outcome(id), "approved");
        compare(PromptFixture.decidedScopes(id), ["files:read"], "only what was ticked");
    }

    function test_queueKeepsOrderAndCount() {
        const a = PromptFixture.submit({
                "clientId": "agent-a",
                "clientName": "Agent A",
                "processChain": [{
                        "pid": 4100,
                        "exe": "/usr/bin/agent-a",
                        "comm": "agent-a"
                    }]
            });
        const b = PromptFixture.submit({
                "clientId": "agent-b",
                "clientName": "Agent B"
            });
        const c = PromptFixture.submit({
                "clientId": "agent-c",
                "clientName": "Agent C"
            });
        waitForPrompt();
        compare(ConsentController.count, 3);
        compare(ConsentController.position, 1);
        compare(ConsentController.requestId, a);
        compare(findChild(win.contentItem, "positionLabel").text.indexOf(qsTr("Request 1 of 3")), 0);
        compare(findChild(findChild(win.contentItem, "queueRow_1"), "queueName").text, "Agent B");
        compare(findChild(findChild(win.contentItem, "queueRow_2"), "queueName").text, "Agent C");

        // An identical request (the same program, restarted) joins the one waiting; the count
        // says so, and the prompt names the process behind the merged one too (R5).
        verify(!findChild(win.contentItem, "mergedProcessRow").visible);
        compare(PromptFixture.submit({
                    "clientId": "agent-a",
                    "clientName": "Agent A",
                    "processChain": [{
                            "pid": 4177,
                            "exe": "/usr/bin/agent-a",
                            "comm": "agent-a"
                        }]
                }), a);
        tryCompare(ConsentController, "mergedCount", 2, 3000);
        verify(findChild(win.contentItem, "mergedLabel").visible);
        const mergedRow = findChild(win.contentItem, "mergedProcessRow");
        verify(mergedRow.visible);
        verify(mergedRow.value.indexOf("/usr/bin/agent-a · pid 4177") >= 0, mergedRow.value);
        waitUntilArmed();
        mouseClick(denyButton());
        compare(PromptFixture.outcome(a), "denied");
        compare(PromptFixture.callbackCount(a), 2, "both merged requesters got the answer");
        compare(ConsentController.requestId, b);
        compare(ConsentController.count, 2);
        verify(!ConsentController.armed, "the next request is armed afresh");
        verify(!ConsentController.approve("1h"));
        waitUntilArmed();
        mouseClick(approveButton());
        compare(PromptFixture.outcome(b), "approved");
        compare(ConsentController.requestId, c);
        compare(ConsentController.count, 1);
        compare(PromptFixture.outcome(c), "");
    }

    function test_stepUpShowsGrantedApart() {
        const id = PromptFixture.submit({
                "scopes": ["files:read", "files:write"],
                "granted": ["files:read"],
                "heldUntil": {
                    "files:read": 0
                }
            });
        waitForPrompt();
        compare(ConsentController.scopes.newCount, 1);
        compare(ConsentController.scopes.grantedCount, 1);
        verify(scopeBox("files:write").visible);
        verify(!scopeBox("files:read").visible, "already granted: not a choice");
        // R10: each held permission says when it ends; extending it is a choice, off by default.
        compare(findChild(win.contentItem, "heldUntil_files:read").text, "until revoked");
        const extend = findChild(win.contentItem, "extendHeldBox");
        verify(extend.visible);
        verify(!extend.checked);
        waitUntilArmed();
        mouseClick(approveButton());
        compare(PromptFixture.decidedScopes(id), ["files:read", "files:write"]);
        verify(!PromptFixture.decidedExtendHeld(id), "held scopes keep their ends unless asked");
    }

    function test_R10_stepUpExtendsHeldOnlyWhenTicked() {
        const end = Math.floor(Date.now() / 1000) + 600;
        const id = PromptFixture.submit({
                "scopes": ["files:read", "files:write"],
                "granted": ["files:read"],
                "heldUntil": {
                    "files:read": end
                }
            });
        waitForPrompt();
        const held = findChild(win.contentItem, "heldUntil_files:read");
        verify(held.text.startsWith("until ") && held.text !== "until revoked", held.text);
        const extend = findChild(win.contentItem, "extendHeldBox");
        mouseClick(extend);
        verify(ConsentController.extendHeld);
        waitUntilArmed();
        mouseClick(approveButton());
        compare(PromptFixture.outcome(id), "approved");
        verify(PromptFixture.decidedExtendHeld(id));
        // The next request starts with the choice off again.
        PromptFixture.submit({
                "scopes": ["files:read", "files:write"],
                "granted": ["files:read"]
            });
        waitForPrompt();
        verify(!ConsentController.extendHeld);
        verify(!findChild(win.contentItem, "extendHeldBox").checked);
    }

    function test_tabOrderNeverReachesApprove() {
        PromptFixture.submit({
                "scopes": ["files:read", "files:write"]
            });
        waitForPrompt();
        compare(focusedName(), "denyButton", "focus starts on Deny");
        const seen = [];
        for (let i = 0; i < 4; ++i) {
            keyClick(Qt.Key_Tab);
            seen.push(focusedName());
        }
        // High-risk first among the new scopes, then the duration, back to Deny.
        compare(seen, ["scope_files:write", "scope_files:read", "durationBox", "denyButton"]);
        verify(seen.indexOf("approveButton") < 0);
    }

    // G3: three denials through the prompt, and the agent's next request never reaches it.
    function test_repeatedDenialsThrottle() {
        for (let i = 0; i < 3; ++i) {
            const id = PromptFixture.submit({
                    "clientId": "agent-nag",
                    "clientName": "Nagging agent"
                });
            verify(id !== "", "request " + (i + 1) + " is shown");
            waitForPrompt();
            keyClick(Qt.Key_Escape);
            compare(PromptFixture.outcome(id), "denied");
            tryVerify(() => !win.visible, 2000);
            PromptFixture.advanceSecs(61); // not the per-minute limit: the denials
        }
        compare(PromptFixture.submit({
                    "clientId": "agent-nag",
                    "clientName": "Nagging agent"
                }), "");
        compare(PromptFixture.submitError(), "throttled");
        compare(ConsentController.count, 0);
        wait(100);
        verify(!win.visible, "a throttled request raises no prompt");
        // Another agent is not affected.
        verify(PromptFixture.submit({
                    "clientId": "agent-other"
                }) !== "");
        waitForPrompt();
    }
    function test_timeoutDeniesAndMovesOn() {
        const first = PromptFixture.submit({
                "clientId": "agent-a"
            });
        waitForPrompt();
        compare(ConsentController.secondsLeft, 120);
        compare(findChild(win.contentItem, "countdown").text, qsTr("Denied automatically in 2:00"));
        PromptFixture.advanceSecs(60);
        const second = PromptFixture.submit({
                "clientId": "agent-b",
                "clientName": "Agent B"
            });
        PromptFixture.advanceSecs(61);
        compare(PromptFixture.outcome(first), "timed_out");
        compare(ConsentController.requestId, second);
        tryCompare(ConsentController, "secondsLeft", 59, 2000);
        verify(win.visible);
        PromptFixture.advanceSecs(60);
        compare(PromptFixture.outcome(second), "timed_out");
        tryVerify(() => !win.visible);
    }

    Component {
        id: promptComponent

        PromptWindow {
        }
    }
    Component {
        id: otherWindow

        Window {
            height: 100
            width: 100
        }
    }
}
