"""The rollover plan: what the year end would change, computed with aggregate SQL, changing nothing.

A plan for 100,000 learners is a handful of GROUP BY queries; no learner is loaded as an
object except the few named as exceptions (kept back, leaving).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import end_of_academic_year, rollover_opens
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    Learner,
    School,
    Staff,
    SupervisorAccess,
)
from planit_desktop.model.errors import InvalidInput, NotFound
from planit_desktop.model.kinds import LearnerStatus, StaffRole
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school
from planit_desktop.model.services.year_end import proposals, rule
from planit_desktop.model.services.year_end.choices import (
    MAX_REASON,
    NOT_AT_MY_PROVIDER,
    LeavingDetails,
    YearEndChoices,
)
from planit_desktop.model.services.year_end.plan_types import (
    AccessLoss,
    GroupRename,
    PlannedLearner,
    RolloverPlan,
    StaffRow,
)
from planit_desktop.model.services.year_end.problems import find_problems
from planit_desktop.model.validation.upn import normalise_upn

ON_ROLL = LearnerStatus.ON_ROLL.value
JOINING = LearnerStatus.JOINING.value


def resolve_upns(session: Session, upns: Collection[str]) -> dict[str, int]:
    """Learner ids for UPNs typed by the coordinator (spaces and case do not matter).

    Raises :class:`NotFound` naming the first UPN that matches no learner on roll.
    """
    wanted = {normalise_upn(upn): upn for upn in upns if str(upn).strip()}
    if not wanted:
        return {}
    found = dict(
        session.execute(
            select(Learner.upn, Learner.id).where(
                Learner.upn.in_(wanted), Learner.status == ON_ROLL
            )
        ).all()
    )
    for normalised, typed in wanted.items():
        if normalised not in found:
            raise NotFound(
                f"No learner on roll has the UPN “{typed.strip()}”. Nothing was changed."
            )
    return {normalised: found[normalised] for normalised in wanted}


def check_choices(session: Session, school: School, choices: YearEndChoices) -> YearEndChoices:
    """The coordinator's choices, checked: every learner named is on roll and named once,
    and every leaver has a date (the last day of the ending academic year unless chosen) and
    a reason of at most 500 characters. Group renames are checked when they are made."""
    kept = frozenset(int(learner_id) for learner_id in choices.kept_back)
    both = kept & set(choices.leaving)
    if both:
        raise InvalidInput(
            f"{_names(session, both)} cannot be both kept back and leaving. Choose one."
        )
    wanted = kept | set(choices.leaving)
    if wanted:
        on_roll = set(
            session.scalars(
                select(Learner.id).where(Learner.id.in_(wanted), Learner.status == ON_ROLL)
            )
        )
        missing = sorted(wanted - on_roll)
        if missing:
            raise NotFound(
                f"Learner number {missing[0]} is not on roll, so cannot be kept back or "
                "recorded as leaving. Nothing was changed."
            )
    default_day = end_of_academic_year(school.academic_year)
    leavers: dict[int, LeavingDetails] = {}
    for learner_id, detail in choices.leaving.items():
        reason = " ".join((detail.reason or "").split()) or NOT_AT_MY_PROVIDER
        if len(reason) > MAX_REASON:
            raise InvalidInput("A leaving reason can be at most 500 characters long.")
        leavers[int(learner_id)] = LeavingDetails(detail.left_on or default_day, reason)
    return replace(choices, kept_back=kept, leaving=leavers)


def plan_rollover(
    session: Session,
    actor: Actor,
    choices: YearEndChoices | None = None,
    *,
    today: date | None = None,
) -> RolloverPlan:
    """Preview the rollover out of the current academic year with the coordinator's
    ``choices`` (learners kept back and leaving); nothing is changed.

    Only administrators may preview. ``today`` is accepted so the wizard and tests can ask
    "as of" a day; the plan itself does not depend on it.
    """
    del today  # the plan is the same on any day; apply_rollover checks the date
    require_administrator(session, actor, "preview the year-end rollover")
    school = get_school(session)
    return build_plan(session, school, check_choices(session, school, choices or YearEndChoices()))


def read_rollover_plan(session: Session, choices: YearEndChoices | None = None) -> RolloverPlan:
    """The rollover out of the current academic year with ``choices`` (learners kept back
    and leaving; none: the rule for everyone), for reading only.

    For the command line's ``rollover --preview``, which reads without signing in, like
    ``summary``: whoever can open the database can read all of it, so a role would protect
    nothing there; changing it is what needs an administrator. Nothing is changed.
    """
    school = get_school(session)
    return build_plan(session, school, check_choices(session, school, choices or YearEndChoices()))


def _chosen(choices: YearEndChoices) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """SQL: the learner is kept back; the learner is leaving."""
    return Learner.id.in_(choices.kept_back), Learner.id.in_(choices.leaving)


def rule_applies(choices: YearEndChoices) -> ColumnElement[bool]:
    """SQL: nothing was chosen for the learner, so the rule says what happens to them."""
    return Learner.id.not_in(choices.kept_back) & Learner.id.not_in(choices.leaving)


def build_plan(session: Session, school: School, choices: YearEndChoices) -> RolloverPlan:
    """The plan for ``school`` with checked ``choices`` (used by preview and by apply)."""
    top = school.highest_year
    on_roll = Learner.status == ON_ROLL
    before = dict(
        session.execute(
            select(Learner.year_group, func.count())
            .where(on_roll)
            .group_by(Learner.year_group)
            .order_by(Learner.year_group)
        ).all()
    )
    kept, leaving = _chosen(choices)
    new_year = rule.year_group_after_sql(Learner.year_group, top, kept_back=kept, leaving=leaving)
    after = {
        year: count
        for year, count in session.execute(
            select(new_year, func.count()).where(on_roll).group_by(new_year)
        ).all()
        if year is not None
    }
    # Learners joining are on roll afterwards, in the year group they were given.
    joining = 0
    for year, count in session.execute(
        select(Learner.year_group, func.count())
        .where(Learner.status == JOINING)
        .group_by(Learner.year_group)
    ).all():
        after[year] = after.get(year, 0) + count
        joining += count
    completes = rule.completes(Learner.year_group, top)
    completed = tuple(
        session.scalars(
            select(Learner.id).where(on_roll, rule_applies(choices), completes).order_by(Learner.id)
        )
    )
    moving_up = session.scalar(
        select(func.count()).select_from(Learner).where(on_roll, rule_applies(choices), ~completes)
    )
    rows = learner_rows(session, choices.kept_back | set(choices.leaving))
    years_now = group_years_now(session)
    renames = plan_group_renames(session, school, choices, years_now)
    problems = find_problems(session, school)
    names = proposals.names_not_matching(
        renames, choices.renames, lowest_year=school.lowest_year, highest_year=top
    )
    if names is not None:
        problems = (*problems, names)
    return RolloverPlan(
        from_year=school.academic_year,
        to_year=school.academic_year + 1,
        opens_on=rollover_opens(school.academic_year),
        lowest_year=school.lowest_year,
        highest_year=top,
        learners_by_year_before=before,
        learners_by_year_after=dict(sorted(after.items())),
        completed_ids=completed,
        completed_on=end_of_academic_year(school.academic_year),
        kept_back=tuple(sorted((rows[i] for i in choices.kept_back), key=_sort_key)),
        left=tuple(
            replace(rows[i], left_on=details.left_on, reason=details.reason)
            for i, details in sorted(
                choices.leaving.items(), key=lambda item: _sort_key(rows[item[0]])
            )
        ),
        moving_up=moving_up or 0,
        access_removed=access_losses(session, school.academic_year),
        administrators=administrators(session),
        group_renames=renames,
        problems=problems,
        group_years_now=years_now,
        joining=joining,
    )


def _sort_key(row: PlannedLearner) -> tuple[str, int]:
    return (row.name.casefold(), row.learner_id)


def learner_rows(session: Session, ids: Collection[int]) -> dict[int, PlannedLearner]:
    """Name, UPN and year group of a few learners, by id."""
    if not ids:
        return {}
    result = session.execute(
        select(
            Learner.id, Learner.first_names, Learner.surname, Learner.upn, Learner.year_group
        ).where(Learner.id.in_(ids))
    ).all()
    return {
        learner_id: PlannedLearner(learner_id, f"{first} {surname}", upn, year)
        for learner_id, first, surname, upn, year in result
    }


def _names(session: Session, ids: Collection[int]) -> str:
    rows = sorted(learner_rows(session, ids).values(), key=_sort_key)
    names = [row.name for row in rows[:5]]
    return ", ".join(names) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")


def access_losses(session: Session, academic_year: int) -> tuple[AccessLoss, ...]:
    """Each member of staff with group access in ``academic_year`` that is still open."""
    result = session.execute(
        select(Staff.id, Staff.name, Staff.login, Group.name)
        .join(SupervisorAccess, SupervisorAccess.staff_id == Staff.id)
        .join(Group, Group.id == SupervisorAccess.group_id)
        .where(
            SupervisorAccess.academic_year == academic_year,
            SupervisorAccess.ended_at.is_(None),
        )
        .order_by(Staff.name, Staff.id, Group.name)
    ).all()
    groups: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for staff_id, name, login, group in result:
        groups[(staff_id, name, login)].append(group)
    return tuple(AccessLoss(key[0], key[1], key[2], tuple(names)) for key, names in groups.items())


def administrators(session: Session) -> tuple[StaffRow, ...]:
    """Active administrators: they keep full access across the rollover."""
    result = session.execute(
        select(Staff.id, Staff.name, Staff.login)
        .where(Staff.role == StaffRole.ADMINISTRATOR, Staff.active.is_(True))
        .order_by(Staff.name)
    ).all()
    return tuple(StaffRow(*row) for row in result)


def group_years_now(session: Session) -> dict[int, dict[int, int]]:
    """Each group's learners on roll, by year group now (group id → year → count)."""
    years: dict[int, dict[int, int]] = defaultdict(dict)
    for group_id, year, count in session.execute(
        select(GroupMembership.group_id, Learner.year_group, func.count())
        .join(Learner, Learner.id == GroupMembership.learner_id)
        .where(Learner.status == ON_ROLL)
        .group_by(GroupMembership.group_id, Learner.year_group)
    ):
        years[group_id][year] = count
    return dict(years)


def _chosen_members(
    session: Session, school: School, choices: YearEndChoices
) -> list[proposals.Chosen]:
    """The groups of each learner with a choice (kept back or leaving), for the proposals."""
    ids = sorted(choices.kept_back | set(choices.leaving))
    groups: dict[int, list[int]] = defaultdict(list)
    years: dict[int, int] = {}
    for chunk in chunks(ids):
        for learner_id, year, group_id in session.execute(
            select(Learner.id, Learner.year_group, GroupMembership.group_id)
            .join(GroupMembership, GroupMembership.learner_id == Learner.id)
            .where(Learner.id.in_(chunk), Learner.status == ON_ROLL)
        ):
            groups[learner_id].append(group_id)
            years[learner_id] = year
    return [
        (groups[i], years[i], choices.outcome(i, years[i], school.highest_year)) for i in groups
    ]


def plan_group_renames(
    session: Session,
    school: School,
    choices: YearEndChoices,
    years_now: Mapping[int, Mapping[int, int]] | None = None,
) -> tuple[GroupRename, ...]:
    """The groups whose names hold a year (or may), each with the name proposed from the
    year groups its learners will be in with these ``choices``, and any clash (see
    :mod:`~planit_desktop.model.services.year_end.proposals`)."""
    members = proposals.members_after(
        group_years_now(session) if years_now is None else years_now,
        school.highest_year,
        _chosen_members(session, school, choices),
    )
    current = dict(session.execute(select(Group.id, Group.name)).all())
    return proposals.propose_renames(
        current,
        members,
        lowest_year=school.lowest_year,
        highest_year=school.highest_year,
        leavers_year=school.academic_year + 1,
    )


def suggested_names(session: Session) -> dict[int, str]:
    """The new name proposed for each year-named group with no choices made (group id →
    name): what a draft of an older program took for a ticked group without a typed name."""
    school = get_school(session)
    renames = plan_group_renames(session, school, YearEndChoices())
    return {r.group_id: r.suggested for r in renames if r.suggested is not None}
