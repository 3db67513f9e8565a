"""The kinds the school's records come in, as enums the window may use (no SQLAlchemy here)."""

from __future__ import annotations

import enum


class LearnerStatus(enum.StrEnum):
    """Where a learner stands with the school's pre-16 Plan-it."""

    ON_ROLL = "on_roll"
    LEFT = "left"  # "Not at my provider"
    COMPLETED = "completed"  # finished the top year served and left the pre-16 system
    #: Imported before the year end for the next academic year (a primary's Year 6 in
    #: July): not on roll and in no group yet, with the year group they will have; the
    #: rollover puts them on roll in it, and its undo takes them back to joining.
    JOINING = "joining"


class LearnerOrigin(enum.StrEnum):
    """How the learner's record came to exist."""

    IMPORT = "import"
    QUICK_CREATE = "quick_create"  # "Create New User" in a classroom
    TRANSFER_FILE = "transfer_file"  # a DfE Common Transfer File
    DEMO = "demo"


class StaffRole(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    SUPERVISOR = "supervisor"


class TabTitle(enum.StrEnum):
    """The main window's tabs, by the titles the coordinator reads: the one place they are
    written (the tabs show them; the year end's tasks and follow-up links name them)."""

    YEAR_END = "Year End"
    LEARNERS = "Learners"
    GROUPS = "Groups"
    STAFF_ACCESS = "Staff Access"
    SUBJECTS = "Subjects"
