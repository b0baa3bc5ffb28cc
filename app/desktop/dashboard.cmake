# SPDX-License-Identifier: GPL-3.0-or-later
# C++ sources of the dashboard (models, controllers), relative to app/.
set(TESSERA_DASHBOARD_SOURCES
    desktop/dashboardsetup.cpp
    desktop/dashboardcontext.cpp desktop/dashboardcontext.h
    desktop/dashboardcontroller.cpp desktop/dashboardcontroller.h
    desktop/settingscontroller.cpp desktop/settingscontroller.h
    desktop/grantlistmodel.cpp desktop/grantlistmodel.h
    desktop/agentlistmodel.cpp desktop/agentlistmodel.h
    desktop/resourcelistmodel.cpp desktop/resourcelistmodel.h
    desktop/resourceeditor.cpp desktop/resourceeditor.h
    desktop/auditlistmodel.cpp desktop/auditlistmodel.h
    desktop/auditexport.cpp desktop/auditexport.h)
