"""The rollover services: plan, apply, undo, once only, timing, faults and permissions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import literal, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import (
    AuditEntry,
    Learner,
    LearnerStatus,
    School,
    SupervisorAccess,
    YearEndRun,
)
from planit_desktop.model.errors import InvalidInput, NotFound, PermissionDenied, Refused
from planit_desktop.model.services.demo.school import create_demo_school
from planit_desktop.model.services.school import summarise
from planit_desktop.model.services.year_end import (
    LeavingDetails,
    YearEndChoices,
    apply_rollover,
    backup_for,
    plan_rollover,
    resolve_upns,
    rollover_status,
    rule,
    undo_preview,
    undo_rollover,
)
from planit_desktop.model.services.year_end import apply as apply_module
from planit_desktop.model.services.year_end.rule import Outcome
from tests.support.rollover import checksum, count, small_school
from tests.support.sign_in import DEMO_ADMINISTRATOR, staff_actor

AUGUST = date(2026, 8, 1)


@pytest.fixture
def school(database: Database) -> dict[str, int]:
    with database.begin() as session:
        return small_school(session)


@pytest.fixture
def admin(database: Database, school: dict[str, int]) -> Actor:
    """The small school's own administrator, Ada Admin (``ada``), as signed in: the school
    has one already (the plan lists it), so the conftest's Test Admin would be a second."""
    return staff_actor(database, "ada")


@pytest.fixture
def demo_admin(demo: Database) -> Actor:
    """The administrator ``admin1`` of the :func:`demo` school, as signed in."""
    return staff_actor(demo, DEMO_ADMINISTRATOR[0])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    with db.begin() as session:
        create_demo_school(session, learners=200, seed=7, academic_year=2025)
    yield db
    db.dispose()


def _learner(database: Database, learner_id: int) -> Learner:
    with database.read() as session:
        learner = session.get(Learner, learner_id)
        assert learner is not None
        return learner


def test_the_rule_reads_the_same_for_numbers_and_in_sql(database: Database) -> None:
    """Moves up or completes: one rule, which the wizard reads with numbers and the plan and
    the journal read in SQL; both give the same year group after, for every choice."""
    assert [rule.outcome(year, 11) for year in (10, 11, 12)] == [
        Outcome.MOVES_UP,
        Outcome.COMPLETES,
        Outcome.COMPLETES,
    ]
    assert rule.outcome(11, 11, kept_back=True) is Outcome.KEPT_BACK
    assert rule.outcome(7, 11, leaving=True) is Outcome.LEAVES
    with database.read() as session:
        for year in range(5, 14):
            for kept, leaving in ((False, False), (True, False), (False, True)):
                in_sql = rule.year_group_after_sql(
                    literal(year), 11, kept_back=literal(kept), leaving=literal(leaving)
                )
                happens = rule.outcome(year, 11, kept_back=kept, leaving=leaving)
                assert session.scalar(select(in_sql)) == rule.year_group_after(year, happens)
            assert bool(session.scalar(select(rule.completes(literal(year), 11)))) is (
                rule.completes(year, 11)
            )
            assert session.scalar(select(rule.moved_up(literal(year)))) == rule.moved_up(year)


def test_plan_counts_exceptions_access_renames_and_problems(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    before = checksum(database)
    with database.read() as session:
        plan = plan_rollover(
            session,
            admin,
            YearEndChoices(
                kept_back=frozenset({school["seven"]}),
                leaving={school["nine"]: LeavingDetails(date(2026, 7, 20), "Moved to Wales")},
            ),
        )
    assert checksum(database) == before  # a preview changes nothing
    assert plan.from_year == 2025 and plan.to_year == 2026
    assert plan.learners_by_year_before == {7: 2, 8: 1, 9: 1, 10: 1, 11: 1}
    # seven kept back in 7; old 7→8; lonely 8→9; nine leaves; ten 10→11; eleven completes.
    assert plan.learners_by_year_after == {7: 1, 8: 1, 9: 1, 11: 1}
    assert plan.completed_ids == (school["eleven"],)
    assert [row.learner_id for row in plan.kept_back] == [school["seven"]]
    assert plan.left[0].reason == "Moved to Wales"
    assert plan.left[0].left_on == date(2026, 7, 20)
    assert [(a.login, a.groups) for a in plan.access_removed] == [("sam", ("10A", "7A"))]
    assert [a.login for a in plan.administrators] == ["ada"]
    renames = {r.old: r for r in plan.group_renames}
    # Proposals come from what the groups will hold with these choices: 7A keeps "seven"
    # back in Year 7 while "old" moves up, so it is mixed and not renamed by rule.
    assert renames["7A"].suggested is None and renames["7A"].mixed
    assert renames["7A"].years_after == {7: 1, 8: 1} and renames["7A"].kept_back == 1
    # 11A's learner completes: it is proposed a leavers' name, so 10A can become 11A.
    assert renames["10A"].suggested == "11A" and renames["10A"].clash is None
    assert renames["10A"].years_after == {11: 1}
    assert renames["11A"].suggested == "11A leavers 2026" and renames["11A"].emptied
    # Y9 Set 2's only learner leaves from Year 9: emptied, but not a leavers' group.
    assert renames["Y9 Set 2"].suggested is None and renames["Y9 Set 2"].emptied
    assert "Oak" not in renames
    kinds = {p.kind: p for p in plan.problems}
    assert kinds["no_group"].learner_ids == (school["lonely"],)
    assert kinds["date_of_birth"].learner_ids == (school["old"],)
    assert kinds["no_subjects"].year_groups == (11,)
    data = plan.to_json()
    assert data["from_year"] == "2025/26" and data["to_year"] == "2026/27"
    assert any(
        r["from"] == "10A" and r["to"] == "11A" and r["years_after"] == {"11": 1}
        for r in data["group_renames"]
    )
    for key in ("learners_by_year_before", "learners_by_year_after", "completed", "kept_back"):
        assert key in data
    json.dumps(data)


def test_plan_flags_year_groups_outside_the_range(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.begin() as session:
        session.get_one(Learner, school["lonely"]).year_group = 12
    with database.read() as session:
        plan = plan_rollover(session, admin)
    outside = next(p for p in plan.problems if p.kind == "year_outside_range")
    assert outside.learner_ids == (school["lonely"],) and outside.year_groups == (12,)


def test_issue_example_apply_then_undo_restores_the_summary(
    demo: Database, demo_admin: Actor
) -> None:
    with demo.read() as session:
        summary_before = summarise(session).to_json()
        by_year = dict(
            session.execute(
                select(Learner.id, Learner.year_group).where(
                    Learner.status == LearnerStatus.ON_ROLL
                )
            ).all()
        )
    database_before = checksum(demo, ignore_volatile=True)
    with demo.begin() as session:
        result = apply_rollover(session, demo_admin, today=AUGUST, backup=backup_for(demo))
    assert result.backup_path and Path(result.backup_path).exists()
    assert "before-rollover-2025-26-to-2026-27" in result.backup_path
    with demo.read() as session:
        after = dict(session.execute(select(Learner.id, Learner.year_group)).all())
        statuses = dict(session.execute(select(Learner.id, Learner.status)).all())
        left_on = dict(session.execute(select(Learner.id, Learner.left_on)).all())
        open_access = session.scalars(
            select(SupervisorAccess).where(
                SupervisorAccess.academic_year == 2025, SupervisorAccess.ended_at.is_(None)
            )
        ).all()
        assert summarise(session).to_json()["academic_year"] == "2026/27"
    for learner_id, year in by_year.items():
        if year < 11:
            assert after[learner_id] == year + 1
            assert statuses[learner_id] is LearnerStatus.ON_ROLL
        else:
            assert statuses[learner_id] is LearnerStatus.COMPLETED
            assert left_on[learner_id] == date(2026, 8, 31)
    assert open_access == []
    assert count(demo, "SELECT count(*) FROM supervisor_access WHERE ended_by_run_id = 1") > 0
    assert count(demo, "SELECT count(*) FROM audit_entry WHERE action = 'rollover'") == (
        len(by_year) + 1
    )
    with demo.begin() as session:
        undone = undo_rollover(session, demo_admin)
    assert undone.learners_restored == len(by_year) and not undone.edited
    with demo.read() as session:
        assert summarise(session).to_json() == summary_before
    after_undo = checksum(demo, ignore_volatile=True)
    for table in ("school", "group_membership", "learner_group", "subject_offer", "staff"):
        assert after_undo[table] == database_before[table], table
    # Learners and the school are back; access re-opened (ended_at and run cleared).
    assert count(demo, "SELECT count(*) FROM supervisor_access WHERE ended_at IS NOT NULL") == 0
    with demo.read() as session:
        restored = dict(session.execute(select(Learner.id, Learner.year_group)).all())
    assert all(restored[i] == y for i, y in by_year.items())


def test_memberships_names_offers_credentials_untouched(demo: Database, demo_admin: Actor) -> None:
    before = checksum(demo)
    with demo.begin() as session:
        apply_rollover(session, demo_admin, today=AUGUST)
    after = checksum(demo)
    for table in (
        "group_membership",
        "learner_group",
        "subject_offer",
        "subject",
        "learner_credential",
        "staff",
    ):
        assert after[table] == before[table], table


def test_kept_back_and_leavers_are_applied_and_journalled(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.begin() as session:
        apply_rollover(
            session,
            admin,
            YearEndChoices(
                kept_back=frozenset({school["seven"]}), leaving={school["ten"]: LeavingDetails()}
            ),
            today=AUGUST,
        )
    seven, ten, old = (_learner(database, school[k]) for k in ("seven", "ten", "old"))
    assert seven.year_group == 7 and seven.version == 1  # kept back: not changed at all
    assert ten.status is LearnerStatus.LEFT and ten.year_group == 10
    assert ten.left_on == date(2026, 8, 31) and ten.left_reason == "Not at my provider"
    assert old.year_group == 8 and old.version == 2
    assert count(database, "SELECT count(*) FROM rollover_journal") == 5


def test_second_rollover_is_refused_naming_when_and_who(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.begin() as session:
        apply_rollover(session, admin, today=AUGUST)
    before = checksum(database)
    with pytest.raises(Refused, match=r"already done on .* by ada\b"):
        with database.begin() as session:
            apply_rollover(session, admin, today=AUGUST, from_year=2025)
    with pytest.raises(Refused, match="already done"):
        with database.begin() as session:
            apply_rollover(session, admin, today=AUGUST)
    assert checksum(database) == before


def test_undone_rollover_can_be_run_again(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.begin() as session:
        apply_rollover(session, admin, today=AUGUST)
    with database.begin() as session:
        undo_rollover(session, admin)
    with database.begin() as session:
        result = apply_rollover(session, admin, today=AUGUST, from_year=2025)
    assert result.run_id == 2


def test_before_august_refused_unless_overridden(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    before = checksum(database)
    with pytest.raises(Refused, match="opens on 1 August 2026"):
        with database.begin() as session:
            apply_rollover(session, admin, today=date(2026, 7, 31))
    assert checksum(database) == before
    with database.begin() as session:
        apply_rollover(session, admin, today=date(2026, 7, 31), allow_early=True)
    with database.read() as session:
        assert session.get_one(School, 1).academic_year == 2026


def test_undo_with_nothing_to_undo_is_refused(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    before = checksum(database)
    with pytest.raises(Refused, match="no rollover to undo"):
        with database.begin() as session:
            undo_rollover(session, admin)
    with pytest.raises(Refused, match="no rollover to undo"):
        with database.read() as session:
            undo_preview(session, admin)
    assert checksum(database) == before


def test_unknown_upn_and_bad_exceptions_are_refused(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.read() as session:
        assert resolve_upns(session, [" h801 2000 01001 "]) == {"H801200001001": school["seven"]}
        with pytest.raises(NotFound, match="Z801200001001"):
            resolve_upns(session, ["H801200001001", "Z801200001001"])
        with pytest.raises(InvalidInput, match="both kept back and leaving"):
            plan_rollover(
                session,
                admin,
                YearEndChoices(
                    kept_back=frozenset({school["ten"]}), leaving={school["ten"]: LeavingDetails()}
                ),
            )
        with pytest.raises(NotFound, match="not on roll"):
            plan_rollover(session, admin, YearEndChoices(kept_back=frozenset({999})))


def test_undo_reports_learners_edited_since(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.begin() as session:
        apply_rollover(session, admin, today=AUGUST)
    with database.begin() as session:  # a correction after the rollover (ORM bumps version)
        session.get_one(Learner, school["ten"]).surname = "Corrected"
    with database.read() as session:
        preview = undo_preview(session, admin)
    assert [row.learner_id for row in preview.edited] == [school["ten"]]
    assert preview.learners_to_restore == 5
    before = checksum(database)
    with pytest.raises(Refused, match="LearnerCorrected|Corrected"):
        with database.begin() as session:
            undo_rollover(session, admin)
    assert checksum(database) == before
    with database.begin() as session:
        result = undo_rollover(session, admin, keep_edited=True)
    assert [row.learner_id for row in result.edited] == [school["ten"]]
    assert result.learners_restored == 5
    assert _learner(database, school["ten"]).year_group == 11  # left as edited
    assert _learner(database, school["eleven"]).status is LearnerStatus.ON_ROLL
    assert _learner(database, school["eleven"]).left_on is None


def test_failure_in_the_middle_changes_nothing(
    database: Database, school: dict[str, int], admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = checksum(database)

    def broken(*_args: object) -> int:
        raise RuntimeError("disk went away")

    monkeypatch.setattr(apply_module, "end_supervisor_access", broken)
    with pytest.raises(RuntimeError), database.begin() as session:
        apply_rollover(session, admin, today=AUGUST)
    assert checksum(database) == before


@pytest.mark.sqlite_only
def test_unwritable_backup_refuses_and_changes_nothing(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    assert database.path is not None
    (database.path.parent / "backups").write_text("a file where the folder should be")
    before = checksum(database)
    with pytest.raises(Refused, match=r"backup .*could not be written.*Nothing has been changed"):
        with database.begin() as session:
            apply_rollover(session, admin, today=AUGUST, backup=backup_for(database))
    assert checksum(database) == before


def test_disk_full_during_backup_refuses(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    def full(_label: str) -> str:
        raise OSError(28, "No space left on device")

    before = checksum(database)
    with pytest.raises(Refused, match="No space left"), database.begin() as session:
        apply_rollover(session, admin, today=AUGUST, backup=full)
    assert checksum(database) == before


def test_only_administrators_and_refusals_are_audited(
    database: Database, school: dict[str, int], supervisor_actor: Actor
) -> None:
    with pytest.raises(PermissionDenied), database.begin() as session:
        plan_rollover(session, supervisor_actor)
    with pytest.raises(PermissionDenied), database.begin() as session:
        apply_rollover(session, supervisor_actor, today=AUGUST)
    with pytest.raises(PermissionDenied), database.begin() as session:
        undo_rollover(session, supervisor_actor)
    with database.read() as session:
        refused = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "refused")
        ).all()
        assert session.get_one(School, 1).academic_year == 2025
    assert refused == [
        "preview the year-end rollover",
        "run the year-end rollover",
        "undo the year-end rollover",
    ]


def test_status_for_the_year_end_tab(
    database: Database, school: dict[str, int], admin: Actor
) -> None:
    with database.read() as session:
        status = rollover_status(session, today=date(2026, 7, 1))
    assert not status.is_open and not status.can_undo and status.last_run is None
    with database.begin() as session:
        apply_rollover(session, admin, today=AUGUST)
    with database.read() as session:
        status = rollover_status(session, today=AUGUST)
        run = session.scalars(select(YearEndRun)).one()
    assert status.academic_year_text == "2026/27" and status.can_undo
    assert status.last_run is not None and status.last_run.run_by == admin.login == "ada"
    assert json.loads(run.summary)["academic_year"] == "2026/27"
