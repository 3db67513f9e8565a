"""Small tables of the Learners tab's dialogs: history, support requests, old leavers and
passwords just issued. Each is a :class:`RowTableModel` over immutable service rows."""

from __future__ import annotations

from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.learners.corrections import FIELD_LABELS
from planit_desktop.model.services.learners.history import HistoryRow
from planit_desktop.model.services.learners.leavers import OldLeaver
from planit_desktop.model.services.learners.support_requests import SupportRequestRow
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.common.table_model import Column, RowTableModel, fold

#: How the audit log's actions read in a learner's history.
ACTION_WORDS = {
    "learner_corrected": "Corrected",
    "learner_left": "Marked as not at my provider",
    "learner_reinstated": "Reinstated",
    "learner_quick_created": "Created in class",
    "learner_checked": "Checked by an administrator",
    "learner_merged": "Merged (kept)",
    "learner_merged_away": "Merged (removed)",
    "learner_temporary_password": "Temporary password issued",
    "learner_secondary_password": "Secondary password issued",
}


def action_text(action: str) -> str:
    return ACTION_WORDS.get(action, action.replace("_", " ").capitalize())


def _when(row: HistoryRow) -> str:
    return row.at.strftime("%d/%m/%Y %H:%M")


class HistoryModel(RowTableModel[HistoryRow]):
    """A learner's history: who, when, what, old → new."""

    columns = (
        Column("When", _when, lambda r: r.at.isoformat()),
        Column("Who", lambda r: r.actor_name, lambda r: fold(r.actor_name)),
        Column("What", lambda r: action_text(r.action)),
        Column("Detail", lambda r: FIELD_LABELS.get(r.field, r.field) if r.field else ""),
        Column("Old value", lambda r: r.old_value or ""),
        Column("New value", lambda r: r.new_value or ""),
        Column("Note", lambda r: r.detail or ""),
    )


def _sent(row: SupportRequestRow) -> str:
    return row.sent_at.strftime("Sent %d/%m/%Y") if row.sent_at is not None else "Not sent"


class SupportRequestModel(RowTableModel[SupportRequestRow]):
    """Support requests to the School Support Team, sent and unsent."""

    columns = (
        Column("Learner", lambda r: f"{r.first_names} {r.surname}", lambda r: fold(r.surname)),
        Column("Year group", lambda r: format_year_group(r.year_group), lambda r: r.year_group),
        Column("Detail corrected", lambda r: r.field_label),
        Column("Old value", lambda r: r.old_value),
        Column("New value", lambda r: r.new_value),
        Column("Corrected by", lambda r: r.requested_by),
        Column(
            "Corrected on",
            lambda r: r.requested_at.strftime("%d/%m/%Y %H:%M"),
            lambda r: r.requested_at.isoformat(),
        ),
        Column("Sent", _sent, lambda r: r.sent_at.isoformat() if r.sent_at else ""),
    )


class OldLeaverModel(RowTableModel[OldLeaver]):
    """Old leavers whose data would be removed: exactly who, and when they left."""

    columns = (
        Column("Learner", lambda r: f"{r.first_names} {r.surname}", lambda r: fold(r.surname)),
        Column(
            "Date of birth",
            lambda r: format_date(r.date_of_birth),
            lambda r: r.date_of_birth.toordinal(),
        ),
        Column("UPN", lambda r: r.upn or ""),
        Column(
            "Left on",
            lambda r: format_date(r.left_on) if r.left_on else "",
            lambda r: r.left_on.toordinal() if r.left_on else 0,
        ),
        Column("Reason", lambda r: r.left_reason or ""),
    )


class PasswordModel(RowTableModel[PasswordRow]):
    """Passwords just issued, held only in memory until written to a list or slips."""

    columns = (
        Column("Learner", lambda r: f"{r.first_names} {r.surname}", lambda r: fold(r.surname)),
        Column("Tutor group", lambda r: r.tutor_group or ""),
        Column("Login name", lambda r: r.login),
        Column("Password", lambda r: r.password),
    )

    def row_id(self, row: PasswordRow) -> int | None:
        return None
