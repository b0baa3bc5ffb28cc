// SPDX-License-Identifier: GPL-3.0-or-later
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Tessera.App
import Tessera.Ui

// Settings take effect when changed (and are recorded in the audit log); each says when it
// applies.
FocusScope {
    id: root

    property bool active: false

    function apply(ok) {
        if (ok)
            notice.show(qsTr("Saved."), "good");
        else
            notice.show(SettingsController.lastError, "danger");
        return ok;
    }

    objectName: "settingsPage"

    QQC2.ScrollView {
        id: scroll

        anchors.fill: parent
        contentWidth: availableWidth

        ColumnLayout {
            spacing: Theme.spacingXLarge
            width: Math.min(scroll.availableWidth - 2 * Theme.spacingXLarge, 760)
            x: Theme.spacingXLarge
            y: Theme.spacingXLarge

            PageHeader {
                Layout.fillWidth: true
                subtitle: qsTr("Changes are saved as you make them and recorded in the activity log.")
                title: qsTr("Settings")
            }
            NoticeBar {
                id: notice

                Layout.fillWidth: true
            }
            SettingsSection {
                Layout.fillWidth: true
                title: qsTr("Consent")

                SettingsField {
                    Layout.fillWidth: true
                    help: qsTr("What the prompt preselects. You can still choose another duration each time.")
                    label: qsTr("Default duration")

                    ChoiceBox {
                        id: durationBox

                        Accessible.name: qsTr("Default duration")
                        Layout.preferredWidth: 220
                        model: [
                            {
                                "value": "once",
                                "text": qsTr("Only this once")
                            },
                            {
                                "value": "1h",
                                "text": qsTr("For 1 hour")
                            },
                            {
                                "value": "1d",
                                "text": qsTr("For 1 day")
                            },
                            {
                                "value": "forever",
                                "text": qsTr("Until I revoke it")
                            }
                        ]
                        objectName: "defaultDuration"

                        Component.onCompleted: select(SettingsController.defaultDuration)
                        onActivated: root.apply(SettingsController.setDefaultDuration(currentValue))
                    }
                }
                SettingsField {
                    Layout.fillWidth: true
                    help: qsTr("A prompt nobody answers is denied after this long. Applies to new requests.")
                    label: qsTr("Prompt timeout")

                    QQC2.SpinBox {
                        id: timeoutBox

                        Accessible.name: qsTr("Prompt timeout in seconds")
                        editable: true
                        from: 15
                        objectName: "promptTimeout"
                        stepSize: 15
                        to: 3600
                        value: SettingsController.promptTimeoutSecs

                        onValueModified: root.apply(SettingsController.setPromptTimeoutSecs(value))
                    }
                    PlainLabel {
                        color: Theme.muted
                        text: qsTr("seconds (%1)").arg(Dashboard.formatSeconds(timeoutBox.value))
                    }
                }
            }
            SettingsSection {
                Layout.fillWidth: true
                title: qsTr("Resources")

                SettingsField {
                    Layout.fillWidth: true
                    help: qsTr("How long access tokens live for resources you add from now on. Existing resources keep theirs.")
                    label: qsTr("Default token lifetime")

                    QQC2.SpinBox {
                        id: lifetimeBox

                        Accessible.name: qsTr("Default token lifetime in seconds")
                        editable: true
                        from: 60
                        objectName: "defaultLifetime"
                        stepSize: 60
                        to: 3600
                        value: SettingsController.defaultTokenLifetimeSecs

                        onValueModified: root.apply(SettingsController.setDefaultTokenLifetimeSecs(value))
                    }
                    PlainLabel {
                        color: Theme.muted
                        text: qsTr("seconds (%1)").arg(Dashboard.formatSeconds(lifetimeBox.value))
                    }
                }
            }
            SettingsSection {
                Layout.fillWidth: true
                title: qsTr("Server")

                SettingsField {
                    Layout.fillWidth: true
                    help: SettingsController.portRestartNeeded ? qsTr("Tessera serves on %1 until it restarts, then on %2. Agents that know the old address must be pointed at the new one.").arg(StatusController.issuer).arg("http://127.0.0.1:" + SettingsController.port) : qsTr("Tessera listens on 127.0.0.1 only. A new port takes effect after Tessera restarts.")
                    helpColor: SettingsController.portRestartNeeded ? Theme.warning : Theme.muted
                    label: qsTr("Port")

                    QQC2.SpinBox {
                        id: portBox

                        Accessible.name: qsTr("Port")
                        editable: true
                        from: 1024
                        objectName: "portBox"
                        to: 65535
                        value: SettingsController.port

                        textFromValue: (value, locale) => String(value)
                        valueFromText: (text, locale) => parseInt(text, 10)

                        onValueModified: root.apply(SettingsController.setPort(value))
                    }
                    PlainLabel {
                        color: Theme.warning
                        font.bold: true
                        objectName: "restartNote"
                        text: qsTr("Restart needed")
                        visible: SettingsController.portRestartNeeded
                    }
                }
                SettingsField {
                    Layout.fillWidth: true
                    label: qsTr("Issuer")

                    PlainLabel {
                        Layout.fillWidth: true
                        font.family: Theme.monospaceFamily
                        text: StatusController.issuer
                    }
                }
                SettingsField {
                    Layout.fillWidth: true
                    label: qsTr("Data folder")

                    PlainLabel {
                        Layout.fillWidth: true
                        font.family: Theme.monospaceFamily
                        text: StatusController.dataDir
                        wrapMode: Text.WrapAnywhere
                    }
                }
            }
            SettingsSection {
                Layout.bottomMargin: Theme.spacingXLarge
                Layout.fillWidth: true
                title: qsTr("Desktop")

                SettingsField {
                    Layout.fillWidth: true
                    help: qsTr("Adds Tessera to %1.").arg(SettingsController.autostartPath)
                    label: qsTr("Start at login")

                    QQC2.Switch {
                        Accessible.name: qsTr("Start Tessera when I log in")
                        checked: SettingsController.startAtLogin
                        objectName: "startAtLogin"
                        text: checked ? qsTr("On") : qsTr("Off")

                        onToggled: {
                            if (!root.apply(SettingsController.setStartAtLogin(checked)))
                                checked = SettingsController.startAtLogin;
                        }
                    }
                }
                SettingsField {
                    Layout.fillWidth: true
                    label: qsTr("Appearance")

                    PlainLabel {
                        Layout.fillWidth: true
                        text: qsTr("Tessera follows your system's light or dark theme; there is nothing to set here.")
                        wrapMode: Text.WordWrap
                    }
                }
            }
        }
    }
}
