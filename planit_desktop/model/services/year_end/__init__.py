"""The year end: the coordinator's choices, the plan (preview), the run and its undo, the
group renames suggested, the draft, the checklist and the report.

The window and the command line come in by one way: :func:`run.run_year_end` with a
:class:`YearEndChoices`, and :func:`run.undo_year_end`. Services take the caller's Session
and the acting staff member; only administrators may use them. See each module for the
details; the names below are the public API.
"""

from __future__ import annotations

from planit_desktop.model.services.groups.names import (
    find_clashes,
    find_year_in_name,
    suggest_group_name,
)
from planit_desktop.model.services.year_end.apply import (
    Backup,
    RolloverResult,
    apply_rollover,
    backup_label,
)
from planit_desktop.model.services.year_end.backup import backup_for, backup_of
from planit_desktop.model.services.year_end.choices import (
    NOT_AT_MY_PROVIDER,
    Choice,
    LeavingDetails,
    YearEndChoices,
)
from planit_desktop.model.services.year_end.plan import plan_rollover, resolve_upns
from planit_desktop.model.services.year_end.plan_types import (
    AccessLoss,
    GroupRename,
    PlannedLearner,
    Problem,
    RolloverPlan,
    StaffRow,
)
from planit_desktop.model.services.year_end.renames import (
    rename_after_rollover,
    suggest_group_renames,
)
from planit_desktop.model.services.year_end.report import REPORT_WHAT, write_rollover_report
from planit_desktop.model.services.year_end.rule import Outcome
from planit_desktop.model.services.year_end.status import RolloverStatus, RunInfo, rollover_status
from planit_desktop.model.services.year_end.undo import (
    AddedLearner,
    EditedLearner,
    LearnersAddedSince,
    UndoPreview,
    UndoResult,
    undo_preview,
    undo_rollover,
)

__all__ = [
    "AddedLearner",
    "LearnersAddedSince",
    "AccessLoss",
    "Backup",
    "Choice",
    "EditedLearner",
    "GroupRename",
    "LeavingDetails",
    "NOT_AT_MY_PROVIDER",
    "Outcome",
    "PlannedLearner",
    "Problem",
    "RolloverPlan",
    "RolloverResult",
    "RolloverStatus",
    "RunInfo",
    "StaffRow",
    "UndoPreview",
    "UndoResult",
    "YearEndChoices",
    "apply_rollover",
    "backup_for",
    "backup_label",
    "backup_of",
    "find_clashes",
    "find_year_in_name",
    "plan_rollover",
    "rename_after_rollover",
    "resolve_upns",
    "rollover_status",
    "suggest_group_name",
    "suggest_group_renames",
    "undo_preview",
    "undo_rollover",
    "write_rollover_report",
    "REPORT_WHAT",
]
