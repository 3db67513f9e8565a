"""State colours come from the palette: readable (WCAG AA) on light and dark, and they follow
the system's colour scheme when it changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from planit_desktop.ui.common import styles
from planit_desktop.ui.common.styles import AA_CONTRAST, State

ROLE = QPalette.ColorRole


def _light() -> QPalette:
    return QApplication.style().standardPalette()


PALETTES = {"light": _light, "dark": styles.dark_palette}


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[QApplication]:
    """The application's palette put back after the test."""
    before = QPalette(qapp.palette())
    styles.follow_colour_scheme(qapp)
    yield qapp
    qapp.setPalette(before)


def test_contrast_is_the_wcag_ratio() -> None:
    assert styles.contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert styles.contrast(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    assert styles.contrast(QColor("white"), QColor("white")) == pytest.approx(1.0)


@pytest.mark.parametrize("name", PALETTES)
@pytest.mark.parametrize("state", list(State))
def test_state_text_reads_on_window_and_base(qapp: QApplication, name: str, state: State) -> None:
    palette = PALETTES[name]()
    colour = styles.text_colour(state, palette)
    for role in (ROLE.Window, ROLE.Base):
        assert styles.contrast(colour, palette.color(role)) >= AA_CONTRAST, (name, state, role)


@pytest.mark.parametrize("name", PALETTES)
@pytest.mark.parametrize("state", list(State))
def test_row_tints_keep_the_text_readable_and_differ(
    qapp: QApplication, name: str, state: State
) -> None:
    palette = PALETTES[name]()
    tint = styles.row_tint(state, palette)
    assert styles.contrast(palette.color(ROLE.Text), tint) >= AA_CONTRAST
    banner = styles.banner_tint(state, palette)
    assert styles.contrast(palette.color(ROLE.WindowText), banner) >= AA_CONTRAST
    if state is not State.MUTED:  # a hue, not just the base again
        assert tint != palette.color(ROLE.Base)


def test_the_old_error_red_fails_on_dark_and_the_new_one_does_not(qapp: QApplication) -> None:
    dark = styles.dark_palette()
    old = QColor("#b00020")
    assert styles.contrast(old, dark.color(ROLE.Window)) < AA_CONTRAST
    assert styles.contrast(styles.text_colour(State.ERROR, dark), dark.color(ROLE.Window)) >= 4.5


def test_states_look_different_from_each_other(qapp: QApplication) -> None:
    for palette in (_light(), styles.dark_palette()):
        colours = {styles.text_colour(s, palette).name() for s in State}
        assert len(colours) == len(State)


def test_a_marked_label_changes_colour_with_the_palette(
    qtbot: Any, app_palette: QApplication
) -> None:
    app_palette.setPalette(_light())
    label = QLabel("Something is wrong")
    qtbot.addWidget(label)
    styles.mark(label, State.ERROR)
    light = styles.text_colour(State.ERROR, _light()).name()
    assert light in label.styleSheet()
    app_palette.setPalette(styles.dark_palette())
    dark = styles.text_colour(State.ERROR, styles.dark_palette()).name()
    qtbot.waitUntil(lambda: dark in label.styleSheet(), timeout=2000)
    assert light != dark
    styles.mark(label, None)
    assert label.styleSheet() == ""


def test_switching_the_colour_scheme_re_derives_the_colours(
    qtbot: Any, app_palette: QApplication
) -> None:
    """The system turning dark gives the program a dark palette and its labels dark-palette
    colours; turning light again brings the light ones back."""
    hints = app_palette.styleHints()
    app_palette.setPalette(_light())
    styles.follow_colour_scheme(app_palette)
    label = QLabel("Something is wrong")
    qtbot.addWidget(label)
    styles.mark(label, State.ERROR)
    light = label.styleSheet()
    try:
        hints.setColorScheme(Qt.ColorScheme.Dark)
        if hints.colorScheme() != Qt.ColorScheme.Dark:  # a platform that cannot be told
            hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        qtbot.waitUntil(lambda: styles.is_dark(app_palette.palette()), timeout=2000)
        assert label.styleSheet() != light
        assert styles.text_colour(State.ERROR).name() in label.styleSheet()
        hints.setColorScheme(Qt.ColorScheme.Light)
        if hints.colorScheme() != Qt.ColorScheme.Light:
            hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        qtbot.waitUntil(lambda: not styles.is_dark(app_palette.palette()), timeout=2000)
        assert label.styleSheet() == light
    finally:
        hints.unsetColorScheme()


def test_text_size_grows_with_the_font(qtbot: Any) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    small = styles.text_size(label, 40, 10)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    label.setFont(font)
    large = styles.text_size(label, 40, 10)
    assert large.width() > small.width() and large.height() > small.height()
