"""State colours (error, warning, done, marked rows…) in one place, derived from the palette.

Every colour here is computed from the application's QPalette at the moment it is asked for,
so it reads on a light and a dark palette alike: a state's text colour has a WCAG AA contrast
(4.5:1) against both the window and the base colour, and a row's tint keeps the palette's own
text at 4.5:1 on it. Widgets say which state they show with :func:`mark`; when the system's
colour scheme or the application's palette changes (:func:`follow_colour_scheme`), every
marked widget is given its colours again. Table models return :func:`row_tint` or
:func:`text_colour` from ``data()``, which runs at paint time, so they follow at once.

Sizes from the font live here too (:func:`text_size`): a dialog's starting size counted in
characters and lines rather than pixels, so it grows with the font and the screen's scaling.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from functools import lru_cache

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QWidget

#: WCAG AA for normal text; a little above it so rounding never lands below.
AA_CONTRAST = 4.5
_TARGET = 4.7
#: The dynamic property that records a widget's state, for re-styling on a palette change.
STATE_PROPERTY = "planit_state"
_KIND_PROPERTY = "planit_state_kind"


class State(enum.Enum):
    """What a coloured thing says."""

    ERROR = "error"
    WARNING = "warning"
    DONE = "done"
    #: A row marked for attention that is not a problem: an exception (kept back, leaving),
    #: a decision still to make.
    MARKED = "marked"
    #: Retired, skipped, not in use.
    MUTED = "muted"


#: The hue of each state (degrees) and its saturation; lightness is found per palette.
_HUES: dict[State, tuple[float, float]] = {
    State.ERROR: (0.0, 0.75),
    State.WARNING: (35.0, 0.95),
    State.DONE: (130.0, 0.55),
    State.MARKED: (215.0, 0.70),
    State.MUTED: (0.0, 0.0),
}


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an opaque colour."""
    return (
        0.2126 * _channel(colour.redF())
        + 0.7152 * _channel(colour.greenF())
        + 0.0722 * _channel(colour.blueF())
    )


def contrast(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` draws light text on a dark window."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return luminance(window) < luminance(text)


def _palette(palette: QPalette | None) -> QPalette:
    return palette if palette is not None else QGuiApplication.palette()


def _mix(first: QColor, second: QColor, weight: float) -> QColor:
    """``weight`` of ``first`` over ``second``, opaque."""
    return QColor.fromRgbF(
        first.redF() * weight + second.redF() * (1 - weight),
        first.greenF() * weight + second.greenF() * (1 - weight),
        first.blueF() * weight + second.blueF() * (1 - weight),
    )


@lru_cache(maxsize=256)
def _text_rgb(state: State, window: int, base: int, dark: bool) -> int:
    hue, saturation = _HUES[state]
    backgrounds = (QColor.fromRgb(window), QColor.fromRgb(base))
    # Walk the lightness away from the background until the text reads on both backgrounds.
    steps = [i / 100 for i in range(50, 101)] if dark else [i / 100 for i in range(50, -1, -1)]
    colour = QColor.fromHslF(hue / 360, saturation, steps[-1])
    for lightness in steps:
        colour = QColor.fromHslF(hue / 360, saturation, lightness)
        if all(contrast(colour, b) >= _TARGET for b in backgrounds):
            break
    return colour.rgb()


@lru_cache(maxsize=256)
def _tint_rgb(state: State, base: int, text: int) -> int:
    hue, saturation = _HUES[state]
    pure = QColor.fromHslF(hue / 360, saturation, 0.5)
    background, foreground = QColor.fromRgb(base), QColor.fromRgb(text)
    for percent in range(28, -1, -2):
        tint = _mix(pure, background, percent / 100)
        if contrast(tint, foreground) >= _TARGET:
            return tint.rgb()
    return background.rgb()


def text_colour(state: State, palette: QPalette | None = None) -> QColor:
    """The colour of text that says ``state``, readable on the palette's window and base."""
    pal = _palette(palette)
    window = pal.color(QPalette.ColorRole.Window).rgb()
    base = pal.color(QPalette.ColorRole.Base).rgb()
    return QColor.fromRgb(_text_rgb(state, window, base, is_dark(pal)))


def row_tint(state: State, palette: QPalette | None = None) -> QColor:
    """A soft background for a table cell or banner in ``state``; the palette's text reads on
    it at AA contrast."""
    pal = _palette(palette)
    base = pal.color(QPalette.ColorRole.Base).rgb()
    text = pal.color(QPalette.ColorRole.Text).rgb()
    return QColor.fromRgb(_tint_rgb(state, base, text))


def banner_tint(state: State, palette: QPalette | None = None) -> QColor:
    """A soft background for a banner on the window colour; window text reads on it."""
    pal = _palette(palette)
    window = pal.color(QPalette.ColorRole.Window).rgb()
    text = pal.color(QPalette.ColorRole.WindowText).rgb()
    return QColor.fromRgb(_tint_rgb(state, window, text))


def _style_sheet(widget: QWidget, state: State, kind: str) -> str:
    palette = widget.palette() if widget.testAttribute(Qt.WidgetAttribute.WA_SetPalette) else None
    if kind == "banner":
        pal = _palette(palette)
        return (
            f"background: {banner_tint(state, pal).name()};"
            f" color: {pal.color(QPalette.ColorRole.WindowText).name()};"
            " border: 1px solid palette(mid); border-radius: 4px; padding: 6px;"
        )
    return f"color: {text_colour(state, palette).name()};"


def mark(widget: QWidget, state: State | None, *, kind: str = "text") -> None:
    """Colour ``widget``'s text (``kind="text"``) or its background (``kind="banner"``) for
    ``state``; None takes the colour away. Re-applied when the palette changes."""
    widget.setProperty(STATE_PROPERTY, state.value if state is not None else None)
    widget.setProperty(_KIND_PROPERTY, kind)
    widget.setStyleSheet(_style_sheet(widget, state, kind) if state is not None else "")


def restyle_all() -> None:
    """Give every marked widget its state colours from the current palette again."""
    for widget in QApplication.allWidgets():
        value = widget.property(STATE_PROPERTY)
        if value:
            kind = widget.property(_KIND_PROPERTY) or "text"
            widget.setStyleSheet(_style_sheet(widget, State(value), str(kind)))


def dark_palette() -> QPalette:
    """A dark palette, for when the system asks for dark but the style draws light."""
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#2d2d2d",
        role.WindowText: "#f0f0f0",
        role.Base: "#1e1e1e",
        role.AlternateBase: "#282828",
        role.ToolTipBase: "#3a3a3a",
        role.ToolTipText: "#f0f0f0",
        role.PlaceholderText: "#a0a0a0",
        role.Text: "#f0f0f0",
        role.Button: "#3a3a3a",
        role.ButtonText: "#f0f0f0",
        role.BrightText: "#ff6b6b",
        role.Light: "#505050",
        role.Midlight: "#444444",
        role.Mid: "#5a5a5a",
        role.Dark: "#1a1a1a",
        role.Shadow: "#000000",
        role.Highlight: "#3d7bd9",
        role.HighlightedText: "#ffffff",
        role.Link: "#8ab4f8",
        role.LinkVisited: "#c58af9",
    }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, colour_role, QColor("#8a8a8a"))
    return palette


class _SchemeFollower(QObject):
    """Re-derives the state colours when the system's scheme or the palette changes."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._light = QPalette(app.palette())
        app.styleHints().colorSchemeChanged.connect(self._scheme_changed)
        # A signal, not a filter of the application's events: such a filter sees every
        # event of every object, each turned into Python, and crashed on one being torn down.
        app.paletteChanged.connect(self._palette_changed)

    def _palette_changed(self, _palette: QPalette) -> None:
        restyle_all()

    def _scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        # Give the platform its turn first: where it draws the scheme itself, keep its palette.
        QTimer.singleShot(0, lambda: self.apply(scheme))

    def apply(self, scheme: Qt.ColorScheme) -> None:
        palette = self._app.palette()
        if scheme == Qt.ColorScheme.Dark and not is_dark(palette):
            self._light = QPalette(palette)
            self._app.setPalette(dark_palette())
        elif scheme == Qt.ColorScheme.Light and is_dark(palette):
            self._app.setPalette(self._light if not is_dark(self._light) else QPalette())
        restyle_all()


def follow_colour_scheme(app: QApplication) -> None:
    """Follow the system's light or dark scheme from now on (idempotent)."""
    if app.findChild(_SchemeFollower) is not None:
        return
    follower = _SchemeFollower(app)
    scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        follower.apply(scheme)


def screen_room(widget: QWidget) -> QSize | None:
    """The room a window opening now may take: nine tenths of the free area of the screen
    ``widget`` is on (None without a screen). Every window that sizes itself to the screen
    asks here, so that a test can say which screen it is on."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return None
    free = screen.availableGeometry().size()
    return QSize(free.width() * 9 // 10, free.height() * 9 // 10)


def text_size(widget: QWidget, characters: int, lines: int) -> QSize:
    """A size of ``characters`` average characters by ``lines`` lines of ``widget``'s font,
    kept within the screen it opens on."""
    metrics = widget.fontMetrics()
    size = QSize(metrics.averageCharWidth() * characters, metrics.lineSpacing() * lines)
    room = screen_room(widget)
    if room is not None:
        size = size.boundedTo(room)
    return size.expandedTo(widget.minimumSizeHint())


def open_at_text_size(widget: QWidget, characters: int, lines: int) -> None:
    """Start ``widget`` at :func:`text_size`, never smaller than its layout asks."""
    widget.resize(text_size(widget, characters, lines).expandedTo(widget.sizeHint()))


def fit_columns(view: QAbstractItemView, *, stretch: int, to_contents: Sequence[int] = ()) -> None:
    """Give a table's room to the column of text (``stretch``: names, messages), size the
    short columns (``to_contents``: codes, statuses, dates) to what they hold, and leave the
    rest for the coordinator to drag. Measures at most a few hundred rows, so any file is
    quick."""
    header = view.horizontalHeader()  # type: ignore[attr-defined]
    header.setStretchLastSection(False)
    header.setResizeContentsPrecision(200)
    for column in to_contents:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


class _HeightForWidth(QObject):
    """Keeps its parent, a window, at least as tall as its layout needs at its width."""

    _EVENTS = frozenset({QEvent.Type.Show, QEvent.Type.Resize, QEvent.Type.LayoutRequest})

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in self._EVENTS:  # most of a window's events: nothing to do
            return False
        # The window is asked of Qt each time (it is this filter's parent), so events that
        # arrive while either is being torn down find nothing of Python's half gone.
        window = self.parent()
        if watched is window and isinstance(window, QWidget):
            layout = window.layout()
            if layout is not None and layout.hasHeightForWidth():
                least = max(
                    layout.totalMinimumHeightForWidth(window.width()),
                    layout.totalMinimumSize().height(),
                )
                if least != window.minimumHeight():
                    window.setMinimumHeight(least)  # taller at once if it is lower
        return False


def keep_height_for_width(window: QWidget) -> None:
    """Never let ``window`` be lower than what it shows needs at its width: wrapped text
    takes more lines in a narrower window or a larger font, and Qt reckons a window's least
    height from its widgets' own least sizes, not at the width the window has, so the fields
    under the text were squeezed. Follows every change of width and of content."""
    if window.findChild(_HeightForWidth) is None:
        _HeightForWidth(window)


def fit_height(window: QWidget) -> None:
    """Let ``window`` grow when what it shows needs more height at its width (a message just
    shown under a form), so nothing above it is squeezed or clipped. Qt does not do this
    itself for a top-level window whose wrapped labels grow."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = window.width()
    needed = (
        layout.totalHeightForWidth(width)
        if layout.hasHeightForWidth()
        else layout.totalSizeHint().height()
    )
    if window.height() < needed:
        window.resize(width, needed)
