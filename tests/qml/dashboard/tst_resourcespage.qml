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
        tryVerify(() => page.model.count >= 3, 5000);
        return page;
    }
    // A Popup has no visual children for findChild() to walk, and the Repeater's scope rows
    // have no QObject parent: reach a row through its Repeater.
    function scopeField(dialog, row, name) {
        return findChild(findChild(dialog, "scopeRows").itemAt(row), name + "_" + row);
    }
    function typeInto(item, text) {
        item.forceActiveFocus();
        item.selectAll();
        keyClick(Qt.Key_Delete);
        keyClicks(text);
    }
    function test_add_validates_each_field() {
        const page = createPage();
        const before = page.model.count;
        const dialog = page.dialog;
        dialog.openNew();
        tryCompare(dialog, "opened", true);
        typeInto(findChild(dialog, "displayNameField"), "Mail server");
        compare(findChild(dialog, "nameField").text, "mail-server");
        typeInto(findChild(dialog, "uriField"), "ftp://127.0.0.1:9555/mcp");
        typeInto(scopeField(dialog, 0, "scopeName"), "mail:read");
        mouseClick(findChild(dialog, "saveResource"));

        // The error is beside the field; nothing was saved, the form stays open.
        const uriError = findChild(dialog, "uriError");
        tryVerify(() => uriError.visible && uriError.text.length > 0);
        verify(!findChild(dialog, "nameError").visible);
        verify(!findChild(dialog, "scopesError").visible);
        verify(dialog.visible);
        verify(!Fixture.resourceExists("mail-server"));

        typeInto(findChild(dialog, "uriField"), "http://127.0.0.1:9555/mcp");
        typeInto(findChild(dialog, "nameField"), "files");
        mouseClick(findChild(dialog, "saveResource"));
        tryVerify(() => findChild(dialog, "nameError").text.indexOf("taken") >= 0);
        verify(!uriError.visible);

        typeInto(findChild(dialog, "nameField"), "mail-server");
        mouseClick(findChild(dialog, "saveResource"));
        tryCompare(dialog, "visible", false);
        verify(Fixture.resourceExists("mail-server"));
        tryCompare(page.model, "count", before + 1);
        compare(page.selected.name, "mail-server");
        compare(page.selected.uri, "http://127.0.0.1:9555/mcp");
        compare(Fixture.auditCount("resource.added"), 5);
    }
    function test_copy_metadata() {
        const page = createPage();
        findChild(page, "resourceList").currentIndex = page.model.indexOf(Fixture.ids.filesResource);
        tryVerify(() => page.selected !== null);
        mouseClick(findChild(page, "copyMetadata"));
        const copied = JSON.parse(Fixture.clipboardText());
        compare(copied.resource, "http://127.0.0.1:8931/mcp");
        compare(copied.authorization_servers[0], Dashboard.issuer);
        compare(copied.scopes_supported, ["files:read", "files:write"]);
        compare(findChild(page, "metadataJson").text, Fixture.clipboardText());
    }

    height: 800
    name: "ResourcesPage"
    visible: true
    when: windowShown
    width: 1280

    Component {
        id: pageComponent

        ResourcesPage {
            active: true
            height: testCase.height
            width: testCase.width
        }
    }
}
