"""Checking each row of a table with the foundation's validators, then for duplicates.

The database part (:func:`load_context`: the school's year range, its tutor groups, the keys
of every learner) is read once; :func:`check_table` is then pure and fast, so the preview can
re-check the whole file after each edit. Every message names the row as the spreadsheet shows
it and the column as headed in the file.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.services.importing.cells import (
    LearnerDraft,
    Message,
    Severity,
    check_row,
)
from planit_desktop.model.services.importing.duplicates import (
    Candidate,
    Decision,
    Duplicate,
    ExistingLearners,
    find_duplicates,
    load_existing,
)
from planit_desktop.model.services.importing.table import SourceKind, SourceRow, Table
from planit_desktop.model.validation.years import format_year_group


class RowStatus(enum.StrEnum):
    READY = "ready"
    WARNING = "warning"
    ERROR = "error"
    SKIPPED = "skipped"  # the coordinator decided not to import it


@dataclass(frozen=True, slots=True)
class RowCheck:
    """One row checked: its messages, duplicates and (when it has no error) its draft."""

    number: int
    draft: LearnerDraft | None
    messages: tuple[Message, ...]
    duplicates: tuple[Duplicate, ...] = ()

    @property
    def options(self) -> tuple[Decision, ...]:
        """The decisions the coordinator may take for this row (empty: none needed)."""
        if not self.duplicates or any(d.blocking for d in self.duplicates):
            return ()
        offered = [set(d.options) for d in self.duplicates]
        common = set.intersection(*offered)
        return tuple(d for d in Decision if d in common)

    @property
    def needs_decision(self) -> bool:
        return bool(self.options)

    def status(self, decision: Decision | None = None) -> RowStatus:
        """ready / warning / error (or skipped), given the coordinator's decision if any."""
        if decision is Decision.SKIP:
            return RowStatus.SKIPPED
        if self.draft is None or any(m.severity is Severity.ERROR for m in self.messages):
            return RowStatus.ERROR
        if any(d.blocking for d in self.duplicates):
            return RowStatus.ERROR
        if self.duplicates and decision not in self.options:
            if any(d.error_until_decided for d in self.duplicates):
                return RowStatus.ERROR
            return RowStatus.WARNING
        if self.messages or self.duplicates:
            return RowStatus.WARNING
        return RowStatus.READY

    def importable(self, decision: Decision | None = None) -> bool:
        """True when the row can be imported as it stands with ``decision``."""
        status = self.status(decision)
        if status in (RowStatus.ERROR, RowStatus.SKIPPED):
            return False
        return not self.needs_decision or decision in self.options


@dataclass(frozen=True)
class SchoolFacts:
    lowest_year: int
    highest_year: int
    academic_year: int
    #: Existing tutor group names, folded → as stored.
    groups: Mapping[str, str]


@dataclass(frozen=True)
class CheckContext:
    """What checking needs from the database, read once."""

    school: SchoolFacts
    existing: ExistingLearners
    today: date


@dataclass(frozen=True)
class CheckResult:
    """A whole table checked; statuses and counts depend on the decisions passed."""

    table: Table
    rows: tuple[RowCheck, ...]
    #: File-wide problems: any of them means nothing can be imported.
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    #: Tutor groups named in the file that do not exist yet (as they will be created).
    new_tutor_groups: tuple[str, ...] = ()
    learners_in_database: int = 0
    today: date = field(default_factory=date.today)
    #: The school's academic year the rows were checked against (their year groups mean it).
    academic_year: int | None = None

    def joining_rows(self, decisions: Mapping[int, Decision] | None = None) -> list[RowCheck]:
        """The importable rows of learners joining next academic year (not on roll yet)."""
        return [
            r for r in self.importable_rows(decisions) if r.draft is not None and r.draft.joining
        ]

    def row(self, number: int, decisions: Mapping[int, Decision] | None = None) -> RowCheck:
        """Row ``number`` as checked; with ``decisions``, as they leave it (see :meth:`settled`)."""
        for row in self.settled(decisions) if decisions else self.rows:
            if row.number == number:
                return row
        raise KeyError(number)

    def settled(self, decisions: Mapping[int, Decision] | None = None) -> tuple[RowCheck, ...]:
        """The rows as the decisions leave them: a row skipped is no longer anyone's duplicate.

        Two identical rows each name the other ("already used by row 22"); skipping all but
        one of them clears the one kept, which then imports as if it were alone.
        """
        skipped = {n for n, d in (decisions or {}).items() if d is Decision.SKIP}
        if not skipped:
            return self.rows
        return tuple(
            replace(row, duplicates=tuple(d for d in row.duplicates if d.match.row not in skipped))
            if row.number not in skipped and any(d.match.row in skipped for d in row.duplicates)
            else row
            for row in self.rows
        )

    def counts(self, decisions: Mapping[int, Decision] | None = None) -> dict[RowStatus, int]:
        """How many rows have each status."""
        decisions = decisions or {}
        counts = dict.fromkeys(RowStatus, 0)
        for row in self.settled(decisions):
            counts[row.status(decisions.get(row.number))] += 1
        return counts

    def importable_rows(self, decisions: Mapping[int, Decision] | None = None) -> list[RowCheck]:
        decisions = decisions or {}
        return [r for r in self.settled(decisions) if r.importable(decisions.get(r.number))]

    def blocked_rows(self, decisions: Mapping[int, Decision] | None = None) -> list[RowCheck]:
        """Rows that stop a whole-file import: errors and undecided duplicates."""
        decisions = decisions or {}
        return [
            r
            for r in self.settled(decisions)
            if not r.importable(decisions.get(r.number))
            and r.status(decisions.get(r.number)) is not RowStatus.SKIPPED
        ]

    def ready_to_import(self, decisions: Mapping[int, Decision] | None = None) -> bool:
        """True when the whole file can be imported: no file problem, no blocked row."""
        return not self.problems and not self.blocked_rows(decisions) and bool(self.rows)


def load_context(session: Session, *, today: date | None = None) -> CheckContext:
    """Read what checking needs from the database: school settings, groups, learner keys."""
    from planit_desktop.model.entities import Group
    from planit_desktop.model.services.school import get_school

    school = get_school(session)
    groups = {name.casefold(): name for name in session.scalars(select(Group.name))}
    return CheckContext(
        school=SchoolFacts(school.lowest_year, school.highest_year, school.academic_year, groups),
        existing=load_existing(session),
        today=today or date.today(),
    )


def check_rows(session: Session, table: Table, *, today: date | None = None) -> CheckResult:
    """Check every row of ``table`` against the validators and the school's learners."""
    return check_table(table, load_context(session, today=today))


def check_table(table: Table, context: CheckContext) -> CheckResult:
    """Check every row of ``table`` with a context read before (pure; no database)."""
    checked: list[tuple[SourceRow, LearnerDraft | None, list[Message]]] = []
    for row in table.rows:
        draft, messages = check_row(table, row, context.school, context.today)
        checked.append((row, draft, messages))
    candidates = [
        Candidate(
            row.number,
            draft.first_names,
            draft.surname,
            draft.date_of_birth,
            draft.upn,
            draft.sims_number,
        )
        for row, draft, _m in checked
        if draft is not None
    ]
    duplicates = find_duplicates(candidates, context.existing, row_word=table.row_word)
    new_groups: dict[str, str] = {}
    for _row, draft, _m in checked:
        if draft is not None and draft.tutor_group:
            folded = draft.tutor_group.casefold()
            if folded not in context.school.groups:
                new_groups.setdefault(folded, draft.tutor_group)
    drafts = [draft for _row, draft, _m in checked if draft is not None]
    notes, problems = _academic_year_notes(table, context.school, drafts)
    return CheckResult(
        table=table,
        rows=tuple(
            RowCheck(row.number, draft, tuple(messages), tuple(duplicates.get(row.number, ())))
            for row, draft, messages in checked
        ),
        problems=table.problems + problems,
        notes=table.notes + notes,
        new_tutor_groups=tuple(sorted(new_groups.values(), key=str.casefold)),
        learners_in_database=context.existing.count,
        today=context.today,
        academic_year=context.school.academic_year,
    )


def _academic_year_notes(
    table: Table, school: SchoolFacts, drafts: list[LearnerDraft]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the preview and the command line say about the academic year of a transfer
    file's year groups (notes), and a file too far ahead to read (problems)."""
    this_year = format_academic_year(school.academic_year)
    next_year = format_academic_year(school.academic_year + 1)
    if table.academic_year is None:
        if table.kind is SourceKind.TRANSFER_FILE and table.rows:
            return (
                "The transfer file does not say which academic year its year groups are of "
                f"(no AcademicYear in its header): they are taken as those of {this_year}.",
            ), ()
        return (), ()
    file_year = format_academic_year(table.academic_year)
    shift = school.academic_year - table.academic_year
    if shift < -1:
        return (), (
            f"The transfer file's year groups are those of {file_year} (its header's "
            f"AcademicYear), more than a year after the school's {this_year}: it cannot be "
            "imported before the school's year ends. Check that the file is the right one.",
        )
    notes: list[str] = []
    lowest = format_year_group(school.lowest_year)
    if shift > 0:
        years = "1 year" if shift == 1 else f"{shift} years"
        example = school.lowest_year - shift
        shown = format_year_group(example) if -2 <= example <= 14 else f"year {example}"
        notes.append(
            f"The transfer file's year groups are those of {file_year} (its header's "
            f"AcademicYear), and the school is in {this_year}: each pupil's year group is moved "
            f"on {years}, so {shown} in the file is {lowest} here, and checked against their "
            "date of birth as today."
        )
    elif shift == 0:
        notes.append(
            f"The transfer file's year groups are those of {file_year}, the school's own year "
            "(its header's AcademicYear)."
        )
    else:
        notes.append(
            f"The transfer file's year groups are those of {file_year}, the year after the "
            f"school's {this_year} (its header's AcademicYear)."
        )
    joining = sum(1 for draft in drafts if draft.joining)
    if joining:
        who = "1 pupil joins" if joining == 1 else f"{joining:,} pupils join"
        notes.append(
            f"{who} the school in {next_year}, in {lowest}: they are imported as joining in "
            f"{next_year}, not on roll and in no group until the year end into {next_year} "
            f"puts them on roll in {lowest} (they are not moved up by it)."
        )
    return tuple(notes), ()
