// SPDX-License-Identifier: GPL-3.0-or-later
pragma Singleton
import QtQuick

// The only place for colours, sizes and spacing. Colours follow the system palette
// (light or dark) and add a few semantic ones on top.
QtObject {
    id: root

    readonly property SystemPalette palette: SystemPalette { colorGroup: SystemPalette.Active }
    // Disabled text and controls: the windows copy these into their Qt Quick Controls palette.
    readonly property SystemPalette disabledPalette: SystemPalette { colorGroup: SystemPalette.Disabled }
    readonly property bool dark: palette.window.hslLightness < 0.5

    readonly property int spacing: 8
    readonly property int spacingLarge: 16
    readonly property int radius: 6
    readonly property int statusBarHeight: 28

    readonly property color good: dark ? "#5fd38d" : "#1e7f4f"
    readonly property color warning: dark ? "#f0b45a" : "#9a5b00"
    readonly property color danger: dark ? "#ff7b72" : "#b3261e"
    readonly property color muted: Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, 0.65)

    // The application's default font, for sizes relative to it. Not Qt.application.font,
    // which the 6.4 linter types as QQmlApplication (no font property).
    readonly property FontMetrics appFontMetrics: FontMetrics {}
    readonly property font appFont: appFontMetrics.font
    readonly property real fontScaleTitle: 1.6

    // Consent prompt: tints behind high-risk scopes and warnings, and the monospace face for URIs.
    readonly property color dangerTint: Qt.rgba(danger.r, danger.g, danger.b, dark ? 0.20 : 0.10)
    readonly property color warningTint: Qt.rgba(warning.r, warning.g, warning.b, dark ? 0.20 : 0.12)
    readonly property color cardBackground: Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, dark ? 0.06 : 0.04)
    readonly property color cardBorder: Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, 0.15)
    readonly property string monospaceFamily: "monospace"

    // Dashboard: layout, surfaces, selection and the frozen state.
    readonly property int spacingSmall: 4
    readonly property int spacingXLarge: 24
    readonly property int navWidth: 200
    readonly property color surface: palette.base
    readonly property color divider: Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, dark ? 0.14 : 0.12)
    readonly property color rowHover: Qt.rgba(palette.windowText.r, palette.windowText.g, palette.windowText.b, dark ? 0.06 : 0.04)
    readonly property color rowSelected: Qt.rgba(palette.highlight.r, palette.highlight.g, palette.highlight.b, dark ? 0.32 : 0.16)
    readonly property color focusRing: palette.highlight
    readonly property color goodTint: Qt.rgba(good.r, good.g, good.b, dark ? 0.20 : 0.10)
    readonly property color frozen: dark ? "#3b6fd8" : "#1d4ed8"
    readonly property color frozenInk: "#ffffff"
    readonly property real fontScaleSection: 1.2
    readonly property real fontScaleSmall: 0.88
}
