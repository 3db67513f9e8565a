"""The coordinator's review of a comparison: each row accepted, skipped or changed, and the
plan of what Apply will do.

Nothing is decided by default: a row is only applied once accepted (one at a time, or
"Accept all in this category"). What a row may do is the comparison's (its actions); a row
may be changed before it is accepted (another year group, another tutor group, the details
as typed), and the plan carries exactly that to the services.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services.importing.table import Field, SourceRow, Table
from planit_desktop.model.services.reconcile.comparing import (
    Action,
    Category,
    Comparison,
    Difference,
)
from planit_desktop.model.services.reconcile.matching import NEW_LEARNER
from planit_desktop.model.services.year_end.choices import NOT_AT_MY_PROVIDER


class Choice(enum.StrEnum):
    UNDECIDED = "undecided"
    ACCEPTED = "accepted"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Decision:
    """What the coordinator decided about one row; the changes override the MIS's values."""

    choice: Choice = Choice.UNDECIDED
    #: The action chosen among the row's (None: its proposal, the first).
    action: Action | None = None
    #: Not sure who: the learner the row is.
    candidate: int | None = None
    #: Year group differs: the year group to correct to, if not the MIS's.
    year_group: int | None = None
    #: Details differ: the values to correct to, if not the MIS's (field → value).
    values: Mapping[str, object] = field(default_factory=dict)
    #: Tutor group differs: another group to move to (an id), if not the MIS's.
    group_id: int | None = None


@dataclass(frozen=True, slots=True)
class Correction:
    """One learner's details to correct, as :func:`correct_learner` takes them."""

    learner_id: int
    name: str
    changes: Mapping[str, object]
    old: Mapping[str, object]
    expected_version: int


@dataclass(frozen=True, slots=True)
class GroupMove:
    """One learner into a tutor group (an id, or a name to create), out of others."""

    learner_id: int
    from_group_ids: tuple[int, ...]
    to_group_id: int | None
    to_group_name: str


@dataclass(frozen=True)
class ApplyPlan:
    """What Apply will do, in one transaction (new learners go to the import separately)."""

    academic_year: int
    source_name: str
    corrections: tuple[Correction, ...] = ()
    kept_back: tuple[int, ...] = ()
    reinstate: tuple[int, ...] = ()
    moves: tuple[GroupMove, ...] = ()
    leavers: tuple[int, ...] = ()
    left_on: date | None = None
    left_reason: str = NOT_AT_MY_PROVIDER
    #: Rows the comparison found, and those this plan applies, by category (for the record).
    found: Mapping[str, int] = field(default_factory=dict)
    applied: Mapping[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (
            self.corrections or self.kept_back or self.reinstate or self.moves or self.leavers
        )

    def describe(self) -> str:
        """ "3 marked as left, 2 moved to another group, …" for messages and Undo."""
        from planit_desktop.model.wording import count_of

        years = self.applied.get(Category.YEAR_GROUP_DIFFERS.value, 0) - len(self.kept_back)
        details = self.applied.get(Category.DETAILS_DIFFER.value, 0)
        parts = [
            (len(self.leavers), "learner marked as left", "learners marked as left"),
            (len(self.reinstate), "learner back on roll", "learners back on roll"),
            (len(self.kept_back), "learner to keep back", "learners to keep back"),
            (years, "year group corrected", "year groups corrected"),
            (details, "learner's details corrected", "learners' details corrected"),
            (len(self.moves), "learner moved to another group", "learners moved to other groups"),
        ]
        shown = [count_of(count, one, many) for count, one, many in parts if count]
        return ", ".join(shown) or "nothing"


class Review:
    """A comparison and the coordinator's decisions about its rows."""

    def __init__(self, comparison: Comparison, *, today: date) -> None:
        self.comparison = comparison
        self.today = today
        self.decisions: dict[tuple[Category, str], Decision] = {}
        #: For "Probably left": the date and reason they are recorded with.
        self.left_on: date = today
        self.left_reason: str = NOT_AT_MY_PROVIDER

    # --- reading ---------------------------------------------------------------------------
    def decision(self, difference: Difference) -> Decision:
        return self.decisions.get((difference.category, difference.key), Decision())

    def action(self, difference: Difference) -> Action | None:
        """The action accepting this row does (its own choice, else the proposal)."""
        chosen = self.decision(difference).action
        return chosen if chosen is not None else next(iter(difference.actions), None)

    def tally(self, category: Category) -> dict[Choice, int]:
        counts = dict.fromkeys(Choice, 0)
        for difference in self.comparison.rows_of(category):
            counts[self.decision(difference).choice] += 1
        return counts

    def accepted(self, category: Category) -> list[Difference]:
        return [
            d
            for d in self.comparison.rows_of(category)
            if self.decision(d).choice is Choice.ACCEPTED
        ]

    # --- deciding --------------------------------------------------------------------------
    def decide(self, difference: Difference, decision: Decision) -> None:
        """Record ``decision`` for ``difference``; InvalidInput if it cannot apply there."""
        if decision.choice is Choice.ACCEPTED:
            action = decision.action or next(iter(difference.actions), None)
            if action is None or action not in difference.actions:
                raise InvalidInput(
                    f"{difference.category.heading}, {difference.key}: this row can only be "
                    f"skipped. {difference.note}".strip()
                )
            if action is Action.SAME_LEARNER:
                wanted = {c.learner_id for c in difference.candidates}
                if decision.candidate not in wanted:
                    raise InvalidInput(f"Choose which learner {difference.key} of the file is.")
        self.decisions[(difference.category, difference.key)] = decision

    def accept(self, difference: Difference, **changes: object) -> None:
        self.decide(difference, Decision(Choice.ACCEPTED, **changes))  # type: ignore[arg-type]

    def skip(self, difference: Difference) -> None:
        self.decide(difference, Decision(Choice.SKIPPED))

    def accept_all(self, category: Category) -> int:
        """Accept every row of ``category`` that can be accepted as proposed (not those
        skipped already, nor those needing a look of their own, nor ambiguous rows, which
        need a choice); how many are accepted now."""
        count = 0
        if category is Category.AMBIGUOUS:
            return 0
        for difference in self.comparison.rows_of(category):
            current = self.decision(difference)
            if difference.caution and current.choice is not Choice.ACCEPTED:
                continue  # needs a look of its own (letters lost, say)
            if difference.actions and current.choice is not Choice.SKIPPED:
                if current.choice is not Choice.ACCEPTED:
                    self.decisions[(category, difference.key)] = replace(
                        current, choice=Choice.ACCEPTED
                    )
                count += 1
        return count

    def skip_all(self, category: Category) -> int:
        for difference in self.comparison.rows_of(category):
            self.decisions[(category, difference.key)] = Decision(Choice.SKIPPED)
        return len(self.comparison.rows_of(category))

    def resolutions(self) -> dict[int, int]:
        """The ambiguous rows settled: row → learner, or NEW_LEARNER (for :func:`compare`)."""
        settled = dict(self.comparison.resolutions)
        for difference in self.accepted(Category.AMBIGUOUS):
            decision = self.decision(difference)
            number = difference.row_number
            assert number is not None
            if self.action(difference) is Action.NEW_LEARNER:
                settled[number] = NEW_LEARNER
            elif decision.candidate is not None:
                settled[number] = decision.candidate
        return settled

    def carried_to(self, comparison: Comparison) -> Review:
        """This review's decisions on a comparison worked out again (same rows, same keys)."""
        review = Review(comparison, today=self.today)
        review.left_on, review.left_reason = self.left_on, self.left_reason
        for category in Category:
            for difference in comparison.rows_of(category):
                decision = self.decisions.get((category, difference.key))
                if decision is None or category is Category.AMBIGUOUS:
                    continue
                try:
                    review.decide(difference, decision)
                except InvalidInput:
                    continue  # the row no longer offers that: left undecided
        return review

    # --- the plan --------------------------------------------------------------------------
    def plan(self) -> ApplyPlan:
        """What Apply does with the rows accepted (new learners excepted: :meth:`import_table`)."""
        comparison = self.comparison
        changes: dict[int, dict[str, object]] = {}
        old: dict[int, dict[str, object]] = {}
        kept_back: list[int] = []
        applied: dict[str, int] = {}
        for difference in self.accepted(Category.YEAR_GROUP_DIFFERS):
            learner = difference.learner
            assert learner is not None
            if self.action(difference) is Action.KEEP_BACK:
                kept_back.append(learner.id)
                continue
            year = self.decision(difference).year_group
            target = year if year is not None else difference.changes["year_group"][1]
            changes.setdefault(learner.id, {})["year_group"] = target
            old.setdefault(learner.id, {})["year_group"] = learner.year_group
        for difference in self.accepted(Category.DETAILS_DIFFER):
            learner = difference.learner
            assert learner is not None
            typed = self.decision(difference).values
            for name, (before, mis) in difference.changes.items():
                changes.setdefault(learner.id, {})[name] = typed.get(name, mis)
                old.setdefault(learner.id, {})[name] = before
        learners = comparison.roll.learners
        corrections = tuple(
            Correction(
                lid, learners[lid].name, values, old[lid], learners[lid].version
            )
            for lid, values in sorted(changes.items())
        )  # fmt: skip
        moves: list[GroupMove] = []
        for difference in self.accepted(Category.GROUPS_DIFFER):
            learner = difference.learner
            assert learner is not None
            chosen = self.decision(difference).group_id
            if chosen is not None:
                current = set(learner.group_ids) & (
                    set(difference.move_from) | {g for g in [difference.move_to] if g}
                )
                moves.append(
                    GroupMove(
                        learner.id,
                        tuple(sorted(current - {chosen})),
                        chosen,
                        comparison.roll.groups.get(chosen, ""),
                    )
                )
            else:
                moves.append(
                    GroupMove(
                        learner.id,
                        difference.move_from,
                        difference.move_to,
                        difference.move_to_name or "",
                    )
                )
        for category in Category:
            applied[category.value] = len(self.accepted(category))
        applied[Category.NEW_LEARNERS.value] = 0  # the import's, not Apply's
        applied[Category.AMBIGUOUS.value] = 0
        return ApplyPlan(
            academic_year=comparison.academic_year,
            source_name=comparison.source_name,
            corrections=corrections,
            kept_back=tuple(sorted(kept_back)),
            reinstate=tuple(
                sorted(d.learner.id for d in self.accepted(Category.REINSTATE) if d.learner)
            ),
            moves=tuple(moves),
            leavers=tuple(
                sorted(d.learner.id for d in self.accepted(Category.NOT_IN_MIS) if d.learner)
            ),
            left_on=self.left_on,
            left_reason=self.left_reason,
            found={category.value: count for category, count in comparison.counts().items()},
            applied=applied,
        )

    def import_rows(self) -> list[Difference]:
        """The new learners accepted, for the import."""
        return self.accepted(Category.NEW_LEARNERS)

    def import_table(self) -> Table:
        """The file's table with only the new learners accepted, as the import reads it: for
        a file of next year, year groups are the ones they are in now, and tutor groups the
        Plan-it groups the file's are."""
        return import_table(self.comparison, (d.row_number for d in self.import_rows()))


def import_table(comparison: Comparison, numbers: Iterable[int | None]) -> Table:
    """``comparison``'s table with only rows ``numbers``, ready for the import's checks."""
    wanted = {n for n in numbers if n is not None}
    roll = comparison.roll
    rows: list[SourceRow] = []
    read = {row.number: row for row in comparison.rows}
    for source in comparison.table.rows:
        if source.number not in wanted:
            continue
        values: dict[Field, object] = dict(source.values)
        mis = read[source.number]
        if comparison.offset and mis.year_group is not None:
            values[Field.YEAR_GROUP] = mis.year_group - comparison.offset
        if mis.tutor_group:
            group = comparison.group_of_tutor.get(mis.tutor_group.casefold())
            if group is not None:
                values[Field.TUTOR_GROUP] = roll.groups[group]
        rows.append(replace(source, values=values))  # type: ignore[arg-type]
    return replace(comparison.table, rows=tuple(rows))


def accepted_counts(review: Review) -> Mapping[Category, int]:
    return {category: len(review.accepted(category)) for category in Category}
