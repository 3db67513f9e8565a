"""What an import will do, given the checked file and the coordinator's decisions.

The preview shows a plan's counts and the tutor groups it will create; the password hashing
is sized by :attr:`ImportPlan.passwords_needed` before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planit_desktop.model.errors import Refused
from planit_desktop.model.services.importing.checking import CheckResult, RowCheck, RowStatus
from planit_desktop.model.services.importing.duplicates import Decision


@dataclass(frozen=True)
class ImportPlan:
    """The rows to create, the learners to reinstate, and the rows left out."""

    create: tuple[RowCheck, ...]
    #: (row, id of the learner who left and comes back)
    reinstate: tuple[tuple[RowCheck, int], ...]
    #: Rows not imported: skipped by decision, or (importing valid rows only) rows with errors.
    left_out: tuple[RowCheck, ...]
    new_tutor_groups: tuple[str, ...]

    @property
    def passwords_needed(self) -> int:
        """Every created or reinstated learner gets a new temporary password."""
        return len(self.create) + len(self.reinstate)

    def key(self) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
        """What identifies the plan's effect (used to see that nothing changed meanwhile)."""
        return (
            tuple(r.number for r in self.create),
            tuple((r.number, learner) for r, learner in self.reinstate),
        )


def reinstate_target(row: RowCheck) -> int | None:
    """The id of the learner who left that ``row`` matched, if any."""
    for duplicate in row.duplicates:
        if duplicate.match.has_left and duplicate.match.learner_id is not None:
            return duplicate.match.learner_id
    return None


def plan_import(
    checked: CheckResult,
    decisions: Mapping[int, Decision] | None = None,
    *,
    skip_invalid: bool = False,
) -> ImportPlan:
    """The plan for ``checked`` with ``decisions`` (row number → decision).

    Refused when the file has a file-wide problem, or when a row has an error or an
    undecided duplicate and ``skip_invalid`` is False (then nothing may be imported).
    """
    decisions = dict(decisions or {})
    if checked.problems:
        raise Refused("Nothing can be imported from this file: " + " ".join(checked.problems))
    for number, decision in decisions.items():
        try:
            row = checked.row(number)
        except KeyError:
            raise Refused(
                f"There is no learner on {checked.table.row_word.lower()} {number} of the "
                f"file, so “{decision.value}” cannot apply to it."
            ) from None
        if decision is not Decision.SKIP and decision not in row.options:
            offered = ", ".join(o.value for o in row.options) or "none"
            raise Refused(
                f"“{decision.value}” does not apply to {checked.table.row_word.lower()} "
                f"{number} (the choices there: {offered})."
            )
    blocked = checked.blocked_rows(decisions)
    if blocked and not skip_invalid:
        numbers = ", ".join(str(r.number) for r in blocked[:20])
        more = "…" if len(blocked) > 20 else ""
        raise Refused(
            f"Nothing was imported: {len(blocked):,} rows still have errors or need a decision "
            f"({checked.table.row_word.lower()}s {numbers}{more})."
        )
    create: list[RowCheck] = []
    reinstate: list[tuple[RowCheck, int]] = []
    left_out: list[RowCheck] = []
    groups_used: set[str] = set()
    # Rows as the decisions leave them: a row skipped is no longer its twin's duplicate.
    for row in checked.settled(decisions):
        chosen = decisions.get(row.number)
        if not row.importable(chosen) or row.status(chosen) is RowStatus.SKIPPED:
            left_out.append(row)
            continue
        assert row.draft is not None
        if row.draft.tutor_group:
            groups_used.add(row.draft.tutor_group.casefold())
        target = reinstate_target(row) if chosen is Decision.REINSTATE else None
        if target is not None:
            reinstate.append((row, target))
        else:
            create.append(row)
    if not create and not reinstate:
        raise Refused("There is no learner to import: every row was left out.")
    return ImportPlan(
        create=tuple(create),
        reinstate=tuple(reinstate),
        left_out=tuple(left_out),
        new_tutor_groups=tuple(g for g in checked.new_tutor_groups if g.casefold() in groups_used),
    )
