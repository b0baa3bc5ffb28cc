# SPDX-License-Identifier: GPL-3.0-or-later
# QML files of the dashboard (Main.qml, pages/, dashboard components), relative to qml/.
# Type names share one module (Tessera.Ui) with the prompt, whose types start with "Prompt".
set(TESSERA_DASHBOARD_QML
    Main.qml
    components/StatusBar.qml
    components/FreezeButton.qml
    components/FrozenBanner.qml
    components/PageHeader.qml
    components/NavRail.qml
    components/EmptyState.qml
    components/NoticeBar.qml
    components/DetailRow.qml
    components/ScopeChips.qml
    components/ConfirmDialog.qml
    components/FieldError.qml
    components/ChoiceBox.qml
    components/EnterPressesButton.qml
    pages/AgentsPage.qml
    pages/GrantsPage.qml
    pages/GrantTable.qml
    pages/ResourcesPage.qml
    pages/ResourceDialog.qml
    pages/ActivityPage.qml
    pages/SettingsPage.qml
    pages/SettingsSection.qml
    pages/SettingsField.qml)
set(TESSERA_DASHBOARD_SINGLETONS)
