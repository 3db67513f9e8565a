"""The year-end rollover: plan (preview), apply, undo, group renames and the report.

Services take the caller's Session and the acting staff member; only administrators may
use them. See each module for the details; the names below are the public API.
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
from planit_desktop.model.services.year_end.backup import backup_for
from planit_desktop.model.services.year_end.plan import plan_rollover, resolve_upns
from planit_desktop.model.services.year_end.plan_types import (
    AccessLoss,
    GroupRename,
    LearnerRow,
    Leaver,
    LeavingDetails,
    Problem,
    RolloverPlan,
    StaffRow,
)
from planit_desktop.model.services.year_end.renames import (
    RenamedGroup,
    RenameResult,
    rename_groups,
    suggest_group_renames,
    undo_group_renames,
)
from planit_desktop.model.services.year_end.report import REPORT_WHAT, write_rollover_report
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
    "EditedLearner",
    "GroupRename",
    "Leaver",
    "LearnerRow",
    "LeavingDetails",
    "Problem",
    "RenameResult",
    "RenamedGroup",
    "RolloverPlan",
    "RolloverResult",
    "RolloverStatus",
    "RunInfo",
    "StaffRow",
    "UndoPreview",
    "UndoResult",
    "apply_rollover",
    "backup_for",
    "backup_label",
    "find_clashes",
    "find_year_in_name",
    "plan_rollover",
    "rename_groups",
    "resolve_upns",
    "rollover_status",
    "suggest_group_name",
    "suggest_group_renames",
    "undo_group_renames",
    "undo_preview",
    "undo_rollover",
    "write_rollover_report",
    "REPORT_WHAT",
]
