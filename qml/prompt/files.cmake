# SPDX-License-Identifier: GPL-3.0-or-later
# QML files of the consent prompt (prompt/, prompt components), relative to qml/.
set(TESSERA_PROMPT_QML)
set(TESSERA_PROMPT_SINGLETONS)
