// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import Tessera.Ui

// The error of one form field, right under it; read out when it appears.
PlainLabel {
    id: root

    Accessible.name: text
    Accessible.role: Accessible.AlertMessage
    color: Theme.danger
    font.pointSize: Theme.appFont.pointSize * Theme.fontScaleSmall
    visible: text.length > 0
    wrapMode: Text.WordWrap
}
