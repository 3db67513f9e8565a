"""Check against the MIS: the school's whole roll from its MIS (an export, or a Common
Transfer File of its own pupils) compared with Plan-it, reviewed row by row, applied in one
transaction.

The flow, for the window and the command line alike::

    table = read_roll_file(path, sheet=None)          # the import's readers and checks
    with database.read() as session:
        roll = load_roll(session, actor)               # every learner and group, once
        before = before_year_end(session)              # may learners be kept back?
    comparison = compare(table, roll, before_year_end=before)   # pure: in memory
    review = Review(comparison, today=date.today())
    review.accept_all(Category.NOT_IN_MIS)             # or accept / skip / change each row
    with database.begin() as session:                  # one transaction, through the services
        result = apply_reconciliation(session, actor, review.plan())
    review.import_table()                              # the new learners, for the import

A row settled as to who it is (an ambiguous one) changes the pairing, so the comparison is
made again with ``compare(..., resolutions=review.resolutions())`` and the decisions carried
over (``review.carried_to(new)``).
"""

from __future__ import annotations

from datetime import date
from os import PathLike

from sqlalchemy.orm import Session

from planit_desktop.model.services.importing.table import MAX_ROLL_ROWS, Table
from planit_desktop.model.services.reconcile.applying import (
    ApplyResult,
    apply_reconciliation,
    undo_reconciliation,
)
from planit_desktop.model.services.reconcile.comparing import (
    Action,
    Category,
    Comparison,
    Difference,
    YearCount,
    compare,
)
from planit_desktop.model.services.reconcile.matching import NEW_LEARNER, MatchedOn, Possible
from planit_desktop.model.services.reconcile.reading import MisRow
from planit_desktop.model.services.reconcile.report import REPORT_WHAT, write_reconcile_report
from planit_desktop.model.services.reconcile.review import (
    ApplyPlan,
    Choice,
    Correction,
    Decision,
    GroupMove,
    Review,
)
from planit_desktop.model.services.reconcile.roll import Roll, RollLearner, load_roll
from planit_desktop.model.services.reconcile.summary import (
    CheckSummary,
    last_check,
    record_check,
)


def read_roll_file(path: str | PathLike[str], *, sheet: str | None = None) -> Table:
    """Read a whole roll with the import's readers, header recognition and safety checks;
    it may hold up to :data:`MAX_ROLL_ROWS` learners (a trust's, where an import takes
    50,000). Raises ``UnreadableFile`` as the import does."""
    from planit_desktop.model.services.importing import read_table

    return read_table(path, sheet=sheet, max_rows=MAX_ROLL_ROWS)


def before_year_end(session: Session, *, today: date | None = None) -> bool:
    """Whether learners may be kept back at the year end rather than corrected: the year
    end out of the school's academic year is open (from 1 August) and not yet run."""
    from planit_desktop.model.services.year_end import rollover_status

    return rollover_status(session, today=today).is_open


__all__ = [
    "MAX_ROLL_ROWS",
    "NEW_LEARNER",
    "Action",
    "ApplyPlan",
    "ApplyResult",
    "Category",
    "CheckSummary",
    "Choice",
    "Comparison",
    "Correction",
    "Decision",
    "Difference",
    "GroupMove",
    "MatchedOn",
    "MisRow",
    "Possible",
    "REPORT_WHAT",
    "Review",
    "Roll",
    "RollLearner",
    "YearCount",
    "apply_reconciliation",
    "before_year_end",
    "compare",
    "last_check",
    "load_roll",
    "read_roll_file",
    "record_check",
    "undo_reconciliation",
    "write_reconcile_report",
]
