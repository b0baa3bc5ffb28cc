# SPDX-License-Identifier: GPL-3.0-or-later
# QML files of the dashboard (Main.qml, pages/, dashboard components), relative to qml/.
set(TESSERA_DASHBOARD_QML
    Main.qml
    components/StatusBar.qml)
set(TESSERA_DASHBOARD_SINGLETONS)
