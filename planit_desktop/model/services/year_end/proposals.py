"""The names proposed for groups at the year end, from what the groups will hold.

Pure functions, no database: the plan (from SQL counts), the wizard (as the coordinator
marks learners kept back or leaving) and the Groups tab (after the year end) all call these,
so a group's proposal is worked out one way everywhere.

A group's proposal comes from the year groups its learners on roll will be in after the
year end, with the learners kept back and leaving counted as chosen: ``8D`` whose learners
all move up becomes ``9D``; ``8D`` with two learners kept back is *mixed* (Years 8 and 9),
says so, and is not renamed by rule; ``11D`` with one learner kept back keeps its name (she
is still in Year 11), and is not a leavers' group; ``11D`` whose learners all complete is
proposed "11D leavers 2026". Nothing is renamed unless the coordinator chooses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from planit_desktop.model.services.groups import names as group_names
from planit_desktop.model.services.year_end import rule
from planit_desktop.model.services.year_end.plan_types import GroupRename, Problem
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of


@dataclass(frozen=True)
class GroupMembers:
    """A group's learners on roll, now and after the year end."""

    #: Year group now → learners.
    now: Mapping[int, int] = field(default_factory=dict)
    #: Year group after the year end → learners still on roll.
    after: Mapping[int, int] = field(default_factory=dict)
    kept_back: int = 0
    #: Learners who complete the top year or leave ("not at my provider").
    leaving: int = 0

    @property
    def on_roll_now(self) -> int:
        return sum(self.now.values())


#: A learner with a choice: the groups they are in, their year group now, and the outcome.
Chosen = tuple[Iterable[int], int, rule.Outcome]


def members_after(
    years_now: Mapping[int, Mapping[int, int]], top_year: int, chosen: Iterable[Chosen] = ()
) -> dict[int, GroupMembers]:
    """Each group's :class:`GroupMembers` after the year end: ``years_now`` (group id → year
    group now → learners on roll) moved on by the rule, then each learner in ``chosen``
    (kept back or leaving) counted as chosen instead."""
    after: dict[int, Counter[int]] = {}
    kept: Counter[int] = Counter()
    leaving: Counter[int] = Counter()
    for group_id, years in years_now.items():
        counts: Counter[int] = Counter()
        for year, count in years.items():
            moved = rule.year_group_after(year, rule.outcome(year, top_year))
            if moved is None:
                leaving[group_id] += count
            else:
                counts[moved] += count
        after[group_id] = counts
    # A whole year group may be chosen at once: the rule is asked once per year and choice.
    moves: dict[tuple[int, rule.Outcome], tuple[int | None, int | None]] = {}
    for groups, year, happens in chosen:
        move = moves.get((year, happens))
        if move is None:
            ruled = rule.year_group_after(year, rule.outcome(year, top_year))
            move = moves[(year, happens)] = (ruled, rule.year_group_after(year, happens))
        ruled, chosen_year = move
        for group_id in groups:
            found = after.get(group_id)
            if found is None:
                found = after[group_id] = Counter()
            if ruled is None:
                leaving[group_id] -= 1
            else:
                found[ruled] -= 1
            if chosen_year is None:
                leaving[group_id] += 1
            else:
                found[chosen_year] += 1
            if happens is rule.Outcome.KEPT_BACK:
                kept[group_id] += 1
    return {
        group_id: GroupMembers(
            dict(years_now.get(group_id, {})),
            {year: count for year, count in sorted(counts.items()) if count > 0},
            kept[group_id],
            max(leaving[group_id], 0),
        )
        for group_id, counts in after.items()
    }


def members_now(years_now: Mapping[int, Mapping[int, int]]) -> dict[int, GroupMembers]:
    """Each group's members as they stand (no year end to come): after is now."""
    return {
        group_id: GroupMembers(dict(years), dict(years), 0, 0)
        for group_id, years in years_now.items()
    }


def years_text(years: Mapping[int, int]) -> str:
    """ "Year 8 (2) and Year 9 (28)"."""
    parts = [f"{format_year_group(year)} ({count:,})" for year, count in sorted(years.items())]
    if len(parts) < 2:
        return parts[0] if parts else "no year group (nobody on roll)"
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _propose(
    group_id: int,
    name: str,
    members: GroupMembers,
    reading: group_names.NameReading,
    *,
    top_year: int,
    leavers_year: int | None,
) -> GroupRename | None:
    """The proposal for one group, or None when the group need not be listed."""
    after = members.after

    def listed(
        suggested: str | None = None,
        *,
        note: str | None = None,
        mixed: bool = False,
        ambiguous: bool = False,
    ) -> GroupRename:
        return GroupRename(
            group_id,
            name,
            suggested,
            None,
            not after,
            dict(after),
            members.kept_back,
            members.leaving,
            mixed,
            ambiguous,
            note,
        )

    if reading.ambiguous is not None:
        where = f"its learners will be in {years_text(after)}" if after else "nobody on roll"
        return listed(
            ambiguous=True,
            note=f"Decide: {reading.ambiguous}; {where}. Type a new name to rename it.",
        )
    found = reading.year
    if found is None:
        return None
    if not after:
        all_top = bool(members.now) and min(members.now) >= top_year
        if group_names.is_leavers_name(name):
            return None  # already named for its leavers: never "… leavers 2026 leavers 2026"
        if leavers_year is not None and all_top:
            return listed(group_names.leavers_name(name, leavers_year))
        return listed(note="Nobody on roll is left in this group (its learners complete or leave).")
    if len(after) > 1:
        return listed(
            mixed=True,
            note=f"Mixed: its learners will be in {years_text(after)}. Not renamed by rule: "
            "type a name, or move learners to another group.",
        )
    (year,) = after
    if year == found.year_group:
        return None  # the name fits (listed only if a proposal wants its name)
    return listed(group_names.with_year(name, found, year))


def propose_renames(
    current: Mapping[int, str],
    members: Mapping[int, GroupMembers],
    *,
    lowest_year: int,
    highest_year: int,
    leavers_year: int | None,
) -> tuple[GroupRename, ...]:
    """The groups to show the coordinator, each with its proposal (or why there is none)
    and any clash: year-named or ambiguous groups with learners on roll, plus any group
    whose name a proposal would take. ``current``: every group's name (id → name);
    ``leavers_year``: the summer the top year leaves, or None to propose no leavers' names
    (after the year end, when it is too late to say)."""
    found: dict[int, GroupRename] = {}
    fitting: dict[int, GroupRename] = {}
    for group_id, name in current.items():
        group = members.get(group_id)
        if group is None or not group.on_roll_now:
            continue
        reading = group_names.read_name(name, lowest_year=lowest_year, highest_year=highest_year)
        if not reading.names_a_year:
            continue
        proposal = _propose(
            group_id, name, group, reading, top_year=highest_year, leavers_year=leavers_year
        )
        if proposal is not None:
            found[group_id] = proposal
        elif reading.year is not None:
            fitting[group_id] = GroupRename(
                group_id,
                name,
                None,
                years_after=dict(group.after),
                kept_back=group.kept_back,
                leaving=group.leaving,
                note=_fits(group),
            )
    suggestions = {gid: r.suggested for gid, r in found.items() if r.suggested}
    wanted = {group_names.name_key(new) for new in suggestions.values()}
    for group_id, row in fitting.items():
        if group_names.name_key(row.old) in wanted:
            found[group_id] = row  # its name is wanted: shown, so it can be given another
    clashes = group_names.find_clashes(current, suggestions)
    rows = (
        replace(row, clash=clashes[gid]) if gid in clashes else row for gid, row in found.items()
    )
    return tuple(sorted(rows, key=lambda r: group_names.name_key(r.old)))


def _fits(group: GroupMembers) -> str:
    kept = f" ({count_of(group.kept_back, 'learner')} kept back)" if group.kept_back else ""
    return (
        f"Keeps its name: its learners will be in {years_text(group.after)}{kept}. "
        "Another group's proposed name is this one: give this group another name, or that "
        "one a different name."
    )


def does_not_fit(
    rename: GroupRename, final_name: str, lowest_year: int, highest_year: int
) -> str | None:
    """Why ``final_name`` (the name the group will have) will not match its learners after
    the year end, or None when it will."""
    reading = group_names.read_name(final_name, lowest_year=lowest_year, highest_year=highest_year)
    if reading.year is None:
        return None
    after = rename.years_after
    if not after:
        # A top-year group its learners complete: named for its leavers, or blocking the
        # name the group below would take.
        leavers = rename.suggested is not None and group_names.is_leavers_name(rename.suggested)
        if leavers and not group_names.is_leavers_name(final_name):
            return f"{final_name}: nobody on roll will be left in it (its learners complete)"
        return None
    if len(after) > 1:
        return f"{final_name}: mixed, its learners will be in {years_text(after)}"
    (year,) = after
    if year != reading.year.year_group:
        return f"{final_name}: its learners will be in {years_text(after)}"
    return None


def names_not_matching(
    renames: Iterable[GroupRename],
    chosen: Mapping[int, str],
    *,
    lowest_year: int,
    highest_year: int,
) -> Problem | None:
    """The check "these group names will not match their members after the year end": every
    listed group whose name, as it will stand (``chosen``: the renames ticked), says another
    year group than its learners will be in, or says a year while it is mixed or emptied."""
    lines = []
    for rename in renames:
        final = chosen.get(rename.group_id, rename.old)
        why = does_not_fit(rename, final, lowest_year, highest_year)
        if why is not None:
            lines.append(why)
    if not lines:
        return None
    return Problem(
        "group_names",
        f"{count_of(len(lines), 'group name', 'group names')} will not match "
        f"{'its' if len(lines) == 1 else 'their'} learners after the year end.",
        groups=tuple(lines),
    )
