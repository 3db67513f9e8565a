"""A check against the MIS as plain data: lists, numbers and text, as the command line's
``reconcile --json`` prints it (and its plain text is read from)."""

from __future__ import annotations

from datetime import date
from typing import Any

from planit_desktop.model.services.reconcile.comparing import Category
from planit_desktop.model.services.reconcile.reading import MisRow
from planit_desktop.model.services.reconcile.review import Choice, Review
from planit_desktop.model.services.reconcile.roll import Roll, RollLearner


def review_as_data(review: Review) -> dict[str, Any]:
    """The comparison and what the review decided: a list per category, and the counts."""
    comparison = review.comparison
    roll = comparison.roll
    output: dict[str, Any] = {
        "file": comparison.source_name,
        "sheet": comparison.table.sheet,
        "rows": len(comparison.rows),
        "academic_year": comparison.academic_year,
        "file_academic_year": comparison.file_year,
        "summary": comparison.summary(),
        "problems": list(comparison.problems),
        "warnings": list(comparison.warnings),
        "notes": list(comparison.notes),
        "by_year_group": [
            {"year_group": c.file_year, "in_file": c.in_file, "on_roll": c.on_roll}
            for c in comparison.by_year
        ],
    }
    for category in Category:
        rows = []
        for difference in comparison.rows_of(category):
            action = review.action(difference)
            rows.append(
                {
                    "learner_id": difference.learner_id,
                    "row": difference.row_number,
                    "matched_on": difference.matched_on.value if difference.matched_on else None,
                    "planit": _learner(difference.learner, roll),
                    "mis": _row(difference.row),
                    "differs": {
                        name: {"planit": _value(old), "mis": _value(new)}
                        for name, (old, new) in difference.changes.items()
                    },
                    "action": action.value if action else None,
                    "accepted": review.decision(difference).choice is Choice.ACCEPTED,
                    "note": difference.note or difference.caution,
                    "candidates": [
                        {"learner_id": c.learner_id, "why": c.why} for c in difference.candidates
                    ],
                }
            )
        output[category.value] = rows
    output["counts"] = {category.value: n for category, n in comparison.counts().items()}
    return output


def _learner(learner: RollLearner | None, roll: Roll) -> dict[str, Any] | None:
    if learner is None:
        return None
    return {
        "first_names": learner.first_names,
        "surname": learner.surname,
        "date_of_birth": learner.date_of_birth.isoformat(),
        "year_group": learner.year_group,
        "tutor_groups": sorted(roll.groups[g] for g in learner.group_ids),
        "upn": learner.upn,
        "sims_number": learner.sims_number,
        "status": learner.status.value,
    }


def _row(row: MisRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "first_names": row.first_names,
        "surname": row.surname,
        "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
        "year_group": row.year_group,
        "tutor_group": row.tutor_group,
        "upn": row.upn,
        "sims_number": row.sims_number,
    }


def _value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
