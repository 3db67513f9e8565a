"""A comparison's rows in the coordinator's words: the same text on the screen, in the report
and on the command line."""

from __future__ import annotations

from datetime import date

from planit_desktop.model.services.reconcile.comparing import (
    FIELD_WORDS,
    Action,
    Category,
    Difference,
)
from planit_desktop.model.services.reconcile.review import Review
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group

_STATUS = {"on_roll": "on roll", "left": "left", "completed": "completed"}


def shown(field: str, value: object) -> str:
    """A value as a coordinator reads it: dates day first, "Year 9", statuses in words."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return format_date(value)
    if field == "year_group" and isinstance(value, int):
        try:
            return format_year_group(value)
        except ValueError:
            return str(value)
    if field == "status":
        return _STATUS.get(str(value), str(value))
    return str(value)


def learner_text(difference: Difference) -> str:
    """The Plan-it learner, or the MIS row's name for a row Plan-it does not have."""
    learner = difference.learner
    if learner is not None:
        return f"{learner.name} ({format_year_group(learner.year_group)})"
    return difference.row.name if difference.row is not None else ""


def _sides(difference: Difference, side: int) -> str:
    return "; ".join(
        f"{FIELD_WORDS.get(name, name)}: {shown(name, values[side]) or '(none)'}"
        for name, values in difference.changes.items()
    )


def planit_text(difference: Difference) -> str:
    """What Plan-it holds of what differs."""
    if difference.category is Category.NEW_LEARNERS or difference.learner is None:
        return ""
    if difference.category is Category.NOT_IN_MIS:
        return "on roll"
    return _sides(difference, 0)


def mis_text(difference: Difference) -> str:
    """What the MIS file holds of what differs."""
    row = difference.row
    if row is None:
        return "not in the file"
    if difference.category in (Category.NEW_LEARNERS, Category.AMBIGUOUS):
        parts = [
            format_date(row.date_of_birth) if row.date_of_birth else "",
            format_year_group(row.year_group) if row.year_group is not None else "",
            row.tutor_group or "",
            row.upn or "",
        ]
        return ", ".join(part for part in parts if part)
    return _sides(difference, 1)


def action_text(review: Review, difference: Difference) -> str:
    """What accepting the row does, as it stands (with the coordinator's changes)."""
    action = review.action(difference)
    decision = review.decision(difference)
    learner = difference.learner
    if action is None:
        return "Can only be skipped"
    if action is Action.IMPORT:
        return "Import as a new learner"
    if action is Action.MARK_LEFT:
        return f"Mark as left on {format_date(review.left_on)}: {review.left_reason}"
    if action is Action.KEEP_BACK:
        assert learner is not None
        return f"Keep back at the year end (stays in {format_year_group(learner.year_group)})"
    if action is Action.REINSTATE:
        return "Put back on roll"
    if action is Action.MOVE:
        if decision.group_id is not None:
            group = review.comparison.roll.groups.get(decision.group_id, "")
        else:
            group = difference.move_to_name or ""
        new = "" if difference.move_to is not None or decision.group_id else " (a new group)"
        return f"Move to {group}{new}"
    if action is Action.SAME_LEARNER:
        if decision.candidate is None:
            return "Say which learner it is"
        other = review.comparison.roll.learners.get(decision.candidate)
        return f"The same learner as {other.name if other else decision.candidate}"
    if action is Action.NEW_LEARNER:
        return "A new learner"
    if difference.category is Category.YEAR_GROUP_DIFFERS:
        year = decision.year_group
        target = year if year is not None else difference.changes["year_group"][1]
        return f"Correct the year group to {shown('year_group', target)}"
    values = {
        name: decision.values.get(name, new) for name, (_old, new) in difference.changes.items()
    }
    return "Correct " + "; ".join(
        f"{FIELD_WORDS.get(name, name)} to {shown(name, value) or '(none)'}"
        for name, value in values.items()
    )


def choice_text(review: Review, difference: Difference) -> str:
    return {"accepted": "Accepted", "skipped": "Skipped", "undecided": ""}[
        review.decision(difference).choice.value
    ]
