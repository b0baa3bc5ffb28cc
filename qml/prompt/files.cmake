# SPDX-License-Identifier: GPL-3.0-or-later
# QML files of the consent prompt (prompt/, prompt components), relative to qml/.
# Type names share one module (Tessera.Ui) with the dashboard: prompt types start with "Prompt".
set(TESSERA_PROMPT_QML
    prompt/PromptWindow.qml
    prompt/PromptCard.qml
    prompt/PromptFact.qml
    prompt/PromptRequester.qml
    prompt/PromptScopes.qml
    prompt/PromptQueue.qml
    components/RiskBadge.qml)
set(TESSERA_PROMPT_SINGLETONS)
