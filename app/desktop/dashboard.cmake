# SPDX-License-Identifier: GPL-3.0-or-later
# C++ sources of the dashboard (models, controllers), relative to app/.
set(TESSERA_DASHBOARD_SOURCES
    desktop/dashboardsetup.cpp)
