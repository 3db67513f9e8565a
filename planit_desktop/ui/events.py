"""The app-wide announcement of what data changed, so that every tab refreshes itself."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal

#: The kinds of data a change may touch; a tab refreshes when one of its kinds changed.
LEARNERS = "learners"
GROUPS = "groups"
STAFF = "staff"
SUBJECTS = "subjects"
SCHOOL = "school"
ROLLOVER = "rollover"
KINDS = frozenset({LEARNERS, GROUPS, STAFF, SUBJECTS, SCHOOL, ROLLOVER})
#: Everything: announced when another database is opened.
EVERYTHING = KINDS


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
