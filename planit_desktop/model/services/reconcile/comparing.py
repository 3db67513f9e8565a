"""The comparison: the MIS file's rows paired with Plan-it's learners, and every difference
sorted into the categories the year-end guide asks the coordinator to check.

Pure: it takes the file's table and the roll read before (:func:`.roll.load_roll`), and is
worked out again in memory whenever the coordinator settles an ambiguous row.

**Which year the file is for.** An MIS moves into the new academic year on its own day, often
before Plan-it's year end. When most learners the file and Plan-it share are exactly one year
group higher in the file, the file is taken to be for the next academic year: each year
group is compared with the one the learner will be in after Plan-it's year end, learners in
the top year are not "probably left" (they complete), and a learner the file shows in the
same year group as now is one kept back. A file a year *behind* Plan-it is refused.

**Groups.** A tutor group in the file is the Plan-it group most of its learners are in (and
that group's learners mostly in it), whatever either is called, so a file for the next year
whose "9A" is Plan-it's "8A" moves nobody. Only groups that correspond to one of the file's
tutor groups are a learner's tutor group; other groups (sets, clubs) are never touched.

**A file that is not the school's whole roll** is refused, or warned about: far fewer learners
than on roll, a year group missing (its learners are then not taken to have left), or a file
whose learners Plan-it mostly does not know, whose UPNs' local-authority and establishment
parts are not those of this school's learners.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.importing.table import Table
from planit_desktop.model.services.reconcile.matching import (
    MatchedOn,
    Matching,
    Possible,
    match_rows,
)
from planit_desktop.model.services.reconcile.reading import MisRow, file_problems, read_rows
from planit_desktop.model.services.reconcile.roll import Roll, RollLearner, sims_match_key
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of

#: A file with fewer learners than this share of those on roll is not a whole roll: refused.
MIN_ROLL_SHARE = 0.5
#: Fewer than this share of those on roll: a warning that the file may be partial.
FULL_ROLL_SHARE = 0.9
#: A file whose learners Plan-it knows fewer than this share of is another school's (or
#: Plan-it's roll is not set up yet): refused.
MIN_KNOWN_SHARE = 0.5
#: Below this many learners the shares above say nothing.
MIN_ROWS_JUDGED = 10


class Category(enum.StrEnum):
    """The kinds of difference, as the command line's JSON names its lists."""

    NEW_LEARNERS = "new_learners"
    NOT_IN_MIS = "not_in_mis"
    YEAR_GROUP_DIFFERS = "year_group_differs"
    GROUPS_DIFFER = "groups_differ"
    DETAILS_DIFFER = "details_differ"
    REINSTATE = "reinstate"
    AMBIGUOUS = "ambiguous"

    @property
    def heading(self) -> str:
        return _TITLES[self]

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]


_TITLES = {
    Category.NEW_LEARNERS: "New learners",
    Category.NOT_IN_MIS: "Probably left",
    Category.YEAR_GROUP_DIFFERS: "Year group differs",
    Category.GROUPS_DIFFER: "Tutor group differs",
    Category.DETAILS_DIFFER: "Details differ",
    Category.REINSTATE: "Back on the roll",
    Category.AMBIGUOUS: "Not sure who",
}
_EXPLANATIONS = {
    Category.NEW_LEARNERS: "On the MIS roll, not in Plan-it. Accepted rows go to the import "
    "as one batch: its duplicate checks, temporary passwords and slips.",
    Category.NOT_IN_MIS: "On roll in Plan-it, not in the MIS file. Accepted learners are "
    "recorded as “Not at my provider” with the date and reason below.",
    Category.YEAR_GROUP_DIFFERS: "In another year group in the MIS. Before the year end they "
    "can be kept back at it; otherwise the year group is corrected, with a support request.",
    Category.GROUPS_DIFFER: "In another tutor group in the MIS. Accepted learners are moved "
    "to the MIS's group (created if Plan-it has none of that name).",
    Category.DETAILS_DIFFER: "First name, surname, date of birth, UPN or SIMS number differ. "
    "Accepted rows are corrected, each with a support request for the School Support Team.",
    Category.REINSTATE: "Left in Plan-it, on the MIS roll. Accepted learners are put back on "
    "roll in their year group.",
    Category.AMBIGUOUS: "The file's row could be more than one learner. Say which learner it "
    "is, or that it is a new learner; nothing is guessed.",
}


class Action(enum.StrEnum):
    """What accepting a row does."""

    IMPORT = "import"
    MARK_LEFT = "mark_left"
    KEEP_BACK = "keep_back"
    CORRECT = "correct"
    MOVE = "move"
    REINSTATE = "reinstate"
    SAME_LEARNER = "same_learner"
    NEW_LEARNER = "new_learner"


#: The details a correction compares, in the order the correction dialog shows them.
DETAIL_FIELDS = ("first_names", "surname", "date_of_birth", "upn", "sims_number")
FIELD_WORDS = {
    "first_names": "first name",
    "surname": "surname",
    "date_of_birth": "date of birth",
    "year_group": "year group",
    "upn": "UPN",
    "sims_number": "SIMS number",
    "groups": "tutor group",
    "status": "status",
}


@dataclass(frozen=True, slots=True)
class Difference:
    """One row of a category: the MIS row and/or the Plan-it learner, what differs and what
    accepting it may do (the first action is the proposal; none: it can only be skipped)."""

    category: Category
    key: str  # "row 12" or "learner 345": unique within its category
    row: MisRow | None
    learner: RollLearner | None
    matched_on: MatchedOn | None
    #: Field → (Plan-it's value, the MIS's value as it would be stored in Plan-it now).
    changes: Mapping[str, tuple[object, object]] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    note: str = ""
    candidates: tuple[Possible, ...] = ()
    #: A tutor group move: from these groups (ids), to this group (id, or a name to create).
    move_from: tuple[int, ...] = ()
    move_to: int | None = None
    move_to_name: str | None = None
    #: Why the row needs a look of its own: "Accept all in this category" leaves it.
    caution: str = ""

    @property
    def learner_id(self) -> int | None:
        return None if self.learner is None else self.learner.id

    @property
    def row_number(self) -> int | None:
        return None if self.row is None else self.row.number


@dataclass(frozen=True, slots=True)
class YearCount:
    """Learners of one year group: in the file (as it names it), and on roll in Plan-it in
    the year group that is now (the same, or one lower for a file of the next year)."""

    file_year: int
    in_file: int
    planit_year: int
    on_roll: int


@dataclass(frozen=True)
class Comparison:
    """A whole roll compared: per category the rows, plus what the file looks like."""

    table: Table
    roll: Roll
    rows: tuple[MisRow, ...]
    #: Plan-it's academic year, and how many years later the file's year groups are (0 or 1).
    academic_year: int
    offset: int
    differences: Mapping[Category, tuple[Difference, ...]]
    matched: Mapping[MatchedOn, int]
    by_year: tuple[YearCount, ...]
    #: Anything here refuses the comparison: nothing can be applied.
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: Tutor groups were compared (the file has them).
    tutor_groups: bool = False
    #: Kept back at the year end is on offer (the year end is still to be run).
    before_year_end: bool = False
    #: Rows settled by the coordinator (row → learner id, or NEW_LEARNER).
    resolutions: Mapping[int, int] = field(default_factory=dict)
    #: File tutor group (folded) → the Plan-it group it is, for the import of new learners.
    group_of_tutor: Mapping[str, int] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return not self.problems

    @property
    def file_year(self) -> int:
        return self.academic_year + self.offset

    @property
    def source_name(self) -> str:
        return self.table.source_name

    def counts(self) -> dict[Category, int]:
        return {category: len(self.differences.get(category, ())) for category in Category}

    def rows_of(self, category: Category) -> tuple[Difference, ...]:
        return self.differences.get(category, ())

    def find(self, category: Category, key: str) -> Difference | None:
        return next((d for d in self.rows_of(category) if d.key == key), None)

    def summary(self) -> str:
        """ "roll.xlsx: 1,005 learners compared with 1,000 on roll in 2025/26; …" """
        on_roll = sum(count.on_roll for count in self.by_year)
        text = (
            f"{self.source_name}: {count_of(len(self.rows), 'learner')} compared with "
            f"{on_roll:,} on roll in {format_academic_year(self.academic_year)}"
        )
        if self.offset:
            text += f" (the file is for {format_academic_year(self.file_year)})"
        matched = [f"{count:,} by {on.value}" for on, count in self.matched.items() if count and on]
        if matched:
            text += ". Matched " + ", ".join(matched)
        return text + "."


def _row_key(row: MisRow) -> str:
    return f"row {row.number}"


def _learner_key(learner: RollLearner) -> str:
    return f"learner {learner.id}"


#: What a file saved in a code page without a letter holds in its place.
LOST_LETTERS = frozenset("?\ufffd")
LOST_LETTERS_CAUTION = (
    "The file has “?” where it lost a letter (it was saved in a code page without it): "
    "type the right spelling before accepting."
)


def _same_name(planit: str, mis: str) -> bool:
    """Names are the same when only case or spacing differ (MIS exports often shout), or
    where the file lost letters it could not encode (``Trần`` saved as ``Tr?n``)."""
    a, b = " ".join(planit.split()).casefold(), " ".join(mis.split()).casefold()
    if a == b:
        return True
    return len(a) == len(b) and all(
        x == y or (y in LOST_LETTERS and not x.isascii()) for x, y in zip(a, b, strict=True)
    )


def compare(
    table: Table,
    roll: Roll,
    *,
    resolutions: Mapping[int, int] | None = None,
    before_year_end: bool = False,
) -> Comparison:
    """Compare the rows of ``table`` (a whole roll from the MIS) with ``roll``.

    ``resolutions`` settle rows found ambiguous (row → learner id, or ``NEW_LEARNER``).
    ``before_year_end``: the year end is about to be run (the wizard, or August before it
    ran), so a learner one year group behind may be kept back at it instead of corrected.
    """
    rows = read_rows(table)
    resolutions = dict(resolutions or {})
    matching = match_rows(rows, roll, resolutions)
    by_number = {row.number: row for row in rows}
    learners = roll.learners
    problems = file_problems(table, rows)
    offset = _offset(matching, by_number, learners)
    if offset < 0:
        problems.append(
            f"The file's year groups are a year behind Plan-it's: it is for "
            f"{format_academic_year(roll.academic_year - 1)}, and Plan-it is already in "
            f"{format_academic_year(roll.academic_year)}. Export the roll again from the MIS "
            "once its year end is done. Nothing was changed."
        )
        offset = 0
    counts = _year_counts(rows, roll, offset)
    matched = Counter(on for _learner, on in matching.pairs.values())
    base = Comparison(
        table=table,
        roll=roll,
        rows=rows,
        academic_year=roll.academic_year,
        offset=offset,
        differences={},
        matched=dict(matched),
        by_year=counts,
        resolutions=resolutions,
        before_year_end=before_year_end or offset == 1,
    )
    if not problems:
        problems.extend(_not_a_whole_roll(base, matching))
    if problems:
        return _replace(base, problems=tuple(problems), notes=table.notes)
    return _differences(base, matching, by_number)


def _replace(comparison: Comparison, **changes: object) -> Comparison:
    from dataclasses import replace

    return replace(comparison, **changes)  # type: ignore[arg-type]


def _offset(
    matching: Matching, rows: Mapping[int, MisRow], learners: Mapping[int, RollLearner]
) -> int:
    """0 when the file is for Plan-it's academic year, 1 for the next, -1 for the last."""
    steps: Counter[int] = Counter()
    for number, (learner_id, _on) in matching.pairs.items():
        year = rows[number].year_group
        learner = learners[learner_id]
        if year is not None and learner.on_roll:
            steps[year - learner.year_group] += 1
    total = sum(steps.values())
    if not total:
        return 0
    step, count = max(steps.items(), key=lambda item: (item[1], -abs(item[0])))
    if step in (1, -1) and count > steps[0] and 2 * count >= total:
        return step
    return 0


def _year_counts(rows: tuple[MisRow, ...], roll: Roll, offset: int) -> tuple[YearCount, ...]:
    in_file = Counter(row.year_group for row in rows if row.year_group is not None)
    on_roll = Counter(learner.year_group for learner in roll.on_roll)
    years = sorted(
        set(in_file) | {year + offset for year in on_roll}
        | set(range(roll.lowest_year + offset, roll.highest_year + offset + 1))
    )  # fmt: skip
    return tuple(
        YearCount(year, in_file.get(year, 0), year - offset, on_roll.get(year - offset, 0))
        for year in years
    )


def _in_scope(comparison: Comparison, row: MisRow) -> bool:
    """A row of a year group Plan-it serves (after the year end, for a file of next year)."""
    year = row.year_group
    return year is None or comparison.roll.serves(year - comparison.offset)


def _expected_on_roll(comparison: Comparison) -> list[RollLearner]:
    """The learners on roll a whole roll should list (not those completing, for next year's)."""
    roll = comparison.roll
    return [
        learner
        for learner in roll.on_roll
        if not (comparison.offset == 1 and learner.year_group >= roll.highest_year)
    ]


def _not_a_whole_roll(comparison: Comparison, matching: Matching) -> list[str]:
    roll = comparison.roll
    expected = _expected_on_roll(comparison)
    name = comparison.source_name
    if not roll.on_roll:
        return [
            "Plan-it has no learners on roll to compare the file with. Import the learners "
            "first (File ▸ Import new learners…). Nothing was changed."
        ]
    in_scope = [row for row in comparison.rows if _in_scope(comparison, row)]
    if len(in_scope) < MIN_ROLL_SHARE * len(expected):
        return [
            f"{name} holds {count_of(len(in_scope), 'learner')} in the year groups Plan-it "
            f"has, where {len(expected):,} are on roll: it is not the school's whole roll, and "
            "comparing it would take every other learner to have left. Export the whole roll "
            "from the MIS (every year group), or import a few new learners with File ▸ Import "
            "new learners…. Nothing was changed."
        ]
    if len(in_scope) < MIN_ROWS_JUDGED:
        return []
    known = sum(1 for row in in_scope if row.number in matching.pairs)
    if known >= MIN_KNOWN_SHARE * len(in_scope):
        return []
    ours = {learner.upn[1:8] for learner in roll.on_roll if learner.upn}
    theirs = [row.upn[1:8] for row in in_scope if row.upn]
    foreign = theirs and sum(1 for part in theirs if part not in ours) > len(theirs) / 2
    why = (
        ": the local-authority and establishment parts of its UPNs are not those of this "
        "school's learners. It looks like another school's file"
        if foreign
        else ". It does not look like this school's roll"
    )
    return [
        f"Plan-it knows only {known:,} of the {len(in_scope):,} learners in {name}{why}. Check "
        "that you chose the right file (and the right school in the MIS). Nothing was changed."
    ]


def _differences(base: Comparison, matching: Matching, rows: Mapping[int, MisRow]) -> Comparison:
    roll = base.roll
    learners = roll.learners
    found: dict[Category, list[Difference]] = defaultdict(list)
    warnings: list[str] = []
    notes: list[str] = list(base.table.notes)
    offset = base.offset
    if offset == 1:
        notes.append(
            f"Most learners are a year group higher in the file than in Plan-it: it is taken "
            f"to be for {format_academic_year(base.file_year)}, after the year end. Each year "
            "group is compared with the one the learner will be in then; learners completing "
            f"{format_year_group(roll.highest_year)} are not looked for."
        )
    missing_years = _missing_years(base)
    for planit_year, count in missing_years:
        warnings.append(
            f"{format_year_group(planit_year + offset)} is not in the file: its "
            f"{count_of(count, 'learner')} on roll were not looked for, so none of them is "
            "shown as probably left."
        )
    expected = _expected_on_roll(base)
    in_scope = sum(1 for row in base.rows if _in_scope(base, row))
    if in_scope < FULL_ROLL_SHARE * len(expected):
        warnings.append(
            f"The file holds {count_of(in_scope, 'learner')} in Plan-it's year groups, where "
            f"{len(expected):,} are on roll: if it is not the whole roll, the learners it "
            "leaves out are shown as probably left. Check it is a whole-roll export."
        )
    group_of_tutor, tutor_groups = _tutor_groups(base, matching, rows)
    compared_groups = any(row.tutor_group for row in base.rows)
    group_by_name = {name.casefold(): gid for gid, name in roll.groups.items()}

    for number, (learner_id, on) in sorted(matching.pairs.items()):
        row, learner = rows[number], learners[learner_id]
        key = _row_key(row)
        target_year = None if row.year_group is None else row.year_group - offset
        returning = False
        if not learner.on_roll:
            if target_year is not None and not roll.serves(target_year):
                continue  # a leaver now in a year Plan-it does not serve (the sixth form)
            completed = learner.status is LearnerStatus.COMPLETED
            returning = not completed
            found[Category.REINSTATE].append(
                Difference(
                    Category.REINSTATE, key, row, learner, on,
                    {"status": (learner.status.value, LearnerStatus.ON_ROLL.value)},
                    () if completed else (Action.REINSTATE,),
                    note=f"Completed {format_year_group(learner.year_group)} in Plan-it: "
                    "reinstate them from the Learners tab if they are back."
                    if completed
                    else "",
                )
            )  # fmt: skip
        if target_year is not None and target_year != learner.year_group:
            found[Category.YEAR_GROUP_DIFFERS].append(
                _year_difference(
                    base, key=key, row=row, learner=learner, on=on, target_year=target_year
                )
            )
        details = _detail_changes(row, learner)
        if details:
            actions, note = _detail_actions(details, learner, roll)
            lost = any(
                isinstance(new, str) and LOST_LETTERS & set(new) for _old, new in details.values()
            )
            found[Category.DETAILS_DIFFER].append(
                Difference(
                    Category.DETAILS_DIFFER, key, row, learner, on, details, actions, note,
                    caution=LOST_LETTERS_CAUTION if lost else "",
                )
            )  # fmt: skip
        if row.tutor_group and (learner.on_roll or returning):
            folded = row.tutor_group.casefold()
            target = group_of_tutor.get(folded, group_by_name.get(folded))
            current = tuple(g for g in learner.group_ids if g in tutor_groups)
            if target is None or current != (target,):
                moving = tuple(g for g in current if g != target)
                if target is not None and not moving and target in learner.group_ids:
                    continue  # in the right group, and in no other tutor group
                found[Category.GROUPS_DIFFER].append(
                    Difference(
                        Category.GROUPS_DIFFER, key, row, learner, on,
                        {"groups": (_names(roll, current), row.tutor_group)},
                        (Action.MOVE,),
                        move_from=moving,
                        move_to=target,
                        move_to_name=roll.groups[target] if target is not None
                        else row.tutor_group,
                    )
                )  # fmt: skip

    candidates: set[int] = set()
    for unsure in matching.unsure.values():
        row = rows[unsure.row]
        candidates.update(c.learner_id for c in unsure.candidates)
        found[Category.AMBIGUOUS].append(
            Difference(
                Category.AMBIGUOUS, _row_key(row), row, None, None, {},
                (Action.SAME_LEARNER, Action.NEW_LEARNER),
                note=unsure.reason,
                candidates=unsure.candidates,
            )
        )  # fmt: skip

    ignored = 0
    for number in matching.unknown:
        row = rows[number]
        year = row.year_group
        if year is not None and not roll.serves(year - offset):
            if offset == 1 and roll.serves(year) and year - offset < roll.lowest_year:
                found[Category.NEW_LEARNERS].append(
                    Difference(
                        Category.NEW_LEARNERS, _row_key(row), row, None, None, {}, (),
                        note=f"Joins {format_year_group(year)} in "
                        f"{format_academic_year(base.file_year)}: import them after the "
                        "year end, when Plan-it is in that year too.",
                    )
                )  # fmt: skip
            else:
                ignored += 1
            continue
        found[Category.NEW_LEARNERS].append(
            Difference(
                Category.NEW_LEARNERS, _row_key(row), row, None, None, {}, (Action.IMPORT,),
                note="; ".join(row.problems),
            )
        )  # fmt: skip
    if ignored:
        notes.append(
            f"{count_of(ignored, 'learner')} of the file {'is' if ignored == 1 else 'are'} in "
            "year groups Plan-it does not serve, and not in Plan-it: they were left out."
        )

    paired = matching.learners_paired
    not_looked_for = {year for year, _count in missing_years}
    for learner in _expected_on_roll(base):
        if learner.id in paired or learner.id in candidates:
            continue
        if learner.year_group in not_looked_for:
            continue
        found[Category.NOT_IN_MIS].append(
            Difference(
                Category.NOT_IN_MIS, _learner_key(learner), None, learner, None,
                {"status": (learner.status.value, "")}, (Action.MARK_LEFT,),
            )
        )  # fmt: skip
    if not compared_groups:
        notes.append("The file has no tutor groups, so groups were not compared.")
    return _replace(
        base,
        differences={category: tuple(found.get(category, ())) for category in Category},
        warnings=tuple(warnings),
        notes=tuple(notes),
        tutor_groups=compared_groups,
        group_of_tutor=group_of_tutor,
    )


def _names(roll: Roll, group_ids: tuple[int, ...]) -> str:
    return ", ".join(sorted((roll.groups[g] for g in group_ids), key=str.casefold))


def _missing_years(comparison: Comparison) -> list[tuple[int, int]]:
    """(Plan-it year group, learners on roll) of each year group the file does not have."""
    in_file = {row.year_group for row in comparison.rows if row.year_group is not None}
    if not in_file:
        return []  # no year groups in the file at all: nothing can be said per year
    on_roll = Counter(learner.year_group for learner in _expected_on_roll(comparison))
    return sorted(
        (year, count) for year, count in on_roll.items() if year + comparison.offset not in in_file
    )


def _year_difference(
    comparison: Comparison,
    *,
    key: str,
    row: MisRow,
    learner: RollLearner,
    on: MatchedOn,
    target_year: int,
) -> Difference:
    roll = comparison.roll
    actions: list[Action] = []
    note = ""
    if comparison.before_year_end and learner.on_roll and target_year + 1 == learner.year_group:
        # Staying in their year group at the year end puts them where the MIS has them.
        actions.append(Action.KEEP_BACK)
    if roll.serves(target_year):
        actions.append(Action.CORRECT)
    elif not actions:
        note = (
            f"{format_year_group(target_year)} is not a year group Plan-it serves: ask the "
            "School Support Team."
        )
    if comparison.offset and row.year_group is not None:
        shown = (
            f"{format_year_group(row.year_group)} in {format_academic_year(comparison.file_year)}"
        )
        note = f"The file says {shown}. {note}".strip()
    return Difference(
        Category.YEAR_GROUP_DIFFERS,
        key,
        row,
        learner,
        on,
        {"year_group": (learner.year_group, target_year)},
        tuple(actions),
        note,
    )


def _detail_changes(row: MisRow, learner: RollLearner) -> dict[str, tuple[object, object]]:
    changes: dict[str, tuple[object, object]] = {}
    if row.first_names and not _same_name(learner.first_names, row.first_names):
        changes["first_names"] = (learner.first_names, row.first_names)
    if row.surname and not _same_name(learner.surname, row.surname):
        changes["surname"] = (learner.surname, row.surname)
    if row.date_of_birth and row.date_of_birth != learner.date_of_birth:
        changes["date_of_birth"] = (learner.date_of_birth, row.date_of_birth)
    if row.upn and row.upn != learner.upn:
        changes["upn"] = (learner.upn, row.upn)
    if row.sims_number and (
        learner.sims_number is None
        or sims_match_key(row.sims_number) != sims_match_key(learner.sims_number)
    ):
        changes["sims_number"] = (learner.sims_number, row.sims_number)
    return changes


def _detail_actions(
    changes: Mapping[str, tuple[object, object]], learner: RollLearner, roll: Roll
) -> tuple[tuple[Action, ...], str]:
    """A correction onto a UPN or SIMS number another learner holds would be refused: such a
    row can only be skipped until that learner is sorted out."""
    for field_name, index in (("upn", roll.by_upn), ("sims_number", roll.by_sims)):
        if field_name not in changes:
            continue
        new = str(changes[field_name][1])
        holder = index.get(new if field_name == "upn" else sims_match_key(new))
        if holder is not None and holder != learner.id:
            other = roll.learners[holder]
            return (), (
                f"The {FIELD_WORDS[field_name]} {new} is {other.name}'s in Plan-it "
                f"({format_year_group(other.year_group)}): correct that learner first."
            )
    return (Action.CORRECT,), ""


def _tutor_groups(
    comparison: Comparison, matching: Matching, rows: Mapping[int, MisRow]
) -> tuple[dict[str, int], set[int]]:
    """(file tutor group folded → the Plan-it group it is, the Plan-it groups that are
    tutor groups), by mutual majority of the learners they share, then by name."""
    roll = comparison.roll
    together: Counter[tuple[int, str]] = Counter()
    in_group: Counter[int] = Counter()
    in_tutor: Counter[str] = Counter()
    for number, (learner_id, _on) in matching.pairs.items():
        tutor = rows[number].tutor_group
        learner = roll.learners[learner_id]
        if not tutor or not learner.on_roll:
            continue
        folded = tutor.casefold()
        in_tutor[folded] += 1
        for group_id in learner.group_ids:
            together[(group_id, folded)] += 1
            in_group[group_id] += 1
    best_tutor: dict[int, tuple[int, str]] = {}
    best_group: dict[str, tuple[int, int]] = {}
    for (group_id, tutor), count in sorted(together.items()):
        if count > best_tutor.get(group_id, (0, ""))[0]:
            best_tutor[group_id] = (count, tutor)
        if count > best_group.get(tutor, (0, 0))[0]:
            best_group[tutor] = (count, group_id)
    group_of_tutor: dict[str, int] = {}
    for tutor, (count, group_id) in best_group.items():
        mutual = best_tutor[group_id][1] == tutor
        if mutual and 2 * count > in_group[group_id] and 2 * count > in_tutor[tutor]:
            group_of_tutor[tutor] = group_id
    paired = set(group_of_tutor.values())
    for group_id, name in roll.groups.items():
        folded = name.casefold()
        if folded in in_tutor and folded not in group_of_tutor and group_id not in paired:
            group_of_tutor[folded] = group_id
            paired.add(group_id)
    return group_of_tutor, paired
