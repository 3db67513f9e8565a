"""The app-wide announcement of what data changed, so that every tab refreshes itself.

The kinds of data are the model's (:mod:`planit_desktop.model.changes`), derived from what
each change audited; they are named here too, for the tabs that listen for them.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal

from planit_desktop.model.changes import (
    EVERYTHING,
    GROUPS,
    KINDS,
    LEARNERS,
    ROLLOVER,
    SCHOOL,
    STAFF,
    SUBJECTS,
)

__all__ = [
    "EVERYTHING",
    "GROUPS",
    "KINDS",
    "LEARNERS",
    "ROLLOVER",
    "SCHOOL",
    "STAFF",
    "SUBJECTS",
    "DataEvents",
]


class DataEvents(QObject):
    """One per application, passed explicitly to every tab (never reached as a global)."""

    #: A committed change touched these kinds of data (a frozenset of strings from KINDS).
    sig_data_changed = Signal(object)

    def announce(self, kinds: Iterable[str]) -> None:
        """Tell every listener that ``kinds`` changed. Unknown kinds are a programming error."""
        changed = frozenset(kinds)
        unknown = changed - KINDS
        if unknown:
            raise ValueError(f"unknown kinds of data: {sorted(unknown)}")
        if changed:
            self.sig_data_changed.emit(changed)
