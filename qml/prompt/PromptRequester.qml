// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// Who asks: what the client claims, and apart from it, what Tessera verified (security-cases G4).
ColumnLayout {
    id: root

    objectName: "promptRequester"

    function chainText(chain) {
        const lines = [];
        for (let i = 0; i < Math.min(chain.length, 5); ++i) {
            const p = chain[i];
            const what = p.exe !== "" ? p.exe : qsTr("%1 (path not readable)").arg(p.comm);
            lines.push((i === 0 ? "" : "↳ ") + qsTr("%1 · pid %2").arg(what).arg(p.pid));
        }
        return lines.join("\n");
    }

    spacing: Theme.spacing

    PromptCard {
        Layout.fillWidth: true
        badgeText: qsTr("Not verified")
        badgeTone: "warning"
        title: qsTr("What the agent says about itself")

        PlainLabel {
            objectName: "clientNameLabel"
            Accessible.name: qsTr("Name given by the agent, not verified: %1").arg(text)
            Layout.fillWidth: true
            elide: Text.ElideRight
            font.bold: true
            font.pointSize: selfAssertedNote.font.pointSize * 1.25
            maximumLineCount: 2
            text: ConsentController.clientName !== "" ? ConsentController.clientName : qsTr("(no name given)")
            wrapMode: Text.WrapAnywhere
        }
        PromptFact {
            key: qsTr("Web site")
            monospace: true
            value: ConsentController.clientUri
            visible: ConsentController.clientUri !== ""
        }
        PlainLabel {
            id: selfAssertedNote

            Layout.fillWidth: true
            color: Theme.muted
            text: qsTr("Any program can give itself any name. Rely on what Tessera checked, below.")
            wrapMode: Text.WordWrap
        }
    }
    PromptCard {
        Layout.fillWidth: true
        badgeText: qsTr("Checked by Tessera")
        badgeTone: "good"
        title: qsTr("What Tessera knows")

        PromptFact {
            key: qsTr("Registration")
            value: ConsentController.clientKindLabel
        }
        PromptFact {
            key: qsTr("Domain")
            value: ConsentController.verifiedDomain !== "" ? ConsentController.verifiedDomain : qsTr("None: no web site vouches for it")
            valueColor: ConsentController.verifiedDomain !== "" ? Theme.palette.windowText : Theme.muted
        }
        PromptFact {
            objectName: "redirectUriRow"
            key: qsTr("Answer goes to")
            monospace: true
            value: ConsentController.redirectUri
            visible: ConsentController.redirectUri !== ""
        }
        PromptFact {
            objectName: "processRow"
            key: ConsentController.path === "authorize" ? qsTr("Listening there") : qsTr("Program")
            monospace: ConsentController.processChain.length > 0
            value: ConsentController.processChain.length > 0 ? root.chainText(ConsentController.processChain) : qsTr("Not known")
            valueColor: ConsentController.processChain.length > 0 ? Theme.palette.windowText : Theme.muted
        }
        PromptFact {
            // R5: identical requests merged into this prompt, each with who is behind it.
            objectName: "mergedProcessRow"
            key: qsTr("Also asked by")
            monospace: true
            value: {
                const parts = [];
                for (let i = 0; i < ConsentController.mergedChains.length; ++i)
                    parts.push(ConsentController.mergedChains[i].length > 0 ? root.chainText(ConsentController.mergedChains[i]) : qsTr("(not known)"));
                return parts.join("\n");
            }
            visible: ConsentController.mergedChains.length > 0
        }
        PromptFact {
            key: qsTr("Would run")
            monospace: true
            value: ConsentController.commandLine
            visible: ConsentController.commandLine !== ""
        }
        PromptFact {
            key: qsTr("Client ID")
            monospace: true
            value: ConsentController.clientId
            valueColor: Theme.muted
        }
    }
}
