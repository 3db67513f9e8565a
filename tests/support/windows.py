"""Windows a GUI test opens, kept alive until it ends: qtbot holds them by weak reference only.

The ``windows_closed`` fixture of tests/ui/conftest.py closes them after each test.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

_kept: list[QWidget] = []

W = TypeVar("W", bound=QWidget)


def keep(window: W) -> W:
    """Keep ``window`` alive until the test ends, then close it."""
    _kept.append(window)
    return window


def close_kept() -> None:
    """Close each kept window and have Qt delete it (at the next ``ui/conftest`` drain): a
    window only closed stays alive, with all it holds, when its widgets are connected to
    Python functions (held in C++, out of the garbage collector's sight)."""
    while _kept:
        window = _kept.pop()
        window.close()
        window.deleteLater()
