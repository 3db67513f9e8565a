"""The year-end checklist: hints that follow the data, marks kept per academic year with who
and when, supervisors refused; and the wizard's combined steps (run, undo, figures, PDF)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    ChecklistMark,
    Group,
    Learner,
    LearnerStatus,
    School,
    Staff,
    StaffRole,
    SubjectOffer,
    SupportRequest,
)
from planit_desktop.model.errors import InvalidInput, PermissionDenied, Refused
from planit_desktop.model.services.learners.duplicates import possible_duplicates
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.staff import access
from planit_desktop.model.services.year_end import LeavingDetails, plan_rollover
from planit_desktop.model.services.year_end.checklist import (
    TASKS,
    mark_done,
    mark_not_done,
    year_end_checklist,
)
from planit_desktop.model.services.year_end.choices import YearEndChoices
from planit_desktop.model.services.year_end.draft import load_draft, save_draft
from planit_desktop.model.services.year_end.run import (
    GroupsRenamedSince,
    last_rollover_counts,
    run_year_end,
    undo_year_end,
)
from planit_desktop.model.services.year_end.summary_pdf import (
    summary_lines,
    write_rollover_summary_pdf,
)

AUGUST = date(2026, 8, 3)


def _checklist(database: Database, actor: Actor):  # type: ignore[no-untyped-def]
    with database.read() as session:
        return year_end_checklist(session, actor)


def _roll_over(database: Database, admin: Actor, **choices: object):  # type: ignore[no-untyped-def]
    with database.begin() as session:
        return run_year_end(
            session,
            admin,
            YearEndChoices(**choices),  # type: ignore[arg-type]
            from_year=2025,
            today=AUGUST,
        )


def test_one_item_per_task_of_the_guide(demo_database: Database, admin: Actor) -> None:
    checklist = _checklist(demo_database, admin)
    assert checklist.academic_year_text == "2025/26"
    assert [item.key for item in checklist.items] == [task.key for task in TASKS]
    assert len(checklist.items) == 10
    assert all(item.hint and item.explanation and item.tab for item in checklist.items)
    assert {item.tab for item in checklist.items} == {
        "Learners",
        "Groups",
        "Staff Access",
        "Subjects",
    }
    assert checklist.done == 0


def test_hints_follow_the_data_through_a_rollover(demo_database: Database, admin: Actor) -> None:
    before = _checklist(demo_database, admin)
    # The demo's last supervisor has no group; names fit their learners before the year end.
    assert before.item("supervisor_access").hint == "1 supervisor has no groups."
    assert before.item("group_names").looks_open is False
    assert "2 learners on roll are in no group" in before.item("learner_groups").hint

    _roll_over(demo_database, admin)
    after = _checklist(demo_database, admin)
    assert after.academic_year_text == "2026/27"
    with demo_database.read() as session:
        supervisors = session.scalars(
            select(Staff.id).where(Staff.role == StaffRole.SUPERVISOR, Staff.active.is_(True))
        ).all()
    access_hint = after.item("supervisor_access")
    assert access_hint.hint == f"{len(supervisors)} supervisors have no groups."
    assert access_hint.looks_open is True
    assert after.item("group_names").looks_open is True
    assert "still have a year in the name" in after.item("group_names").hint
    assert after.item("new_learners").hint.startswith("Year 7 has no learners on roll")

    # Assigning every supervisor clears the hint.
    with demo_database.begin() as session:
        access.restore_last_years_assignments(session, admin, supervisors)
        oak = session.scalar(select(Group.id).where(Group.name == "Oak"))
        lonely = [s for s in supervisors if not access.staff_rows(session, {s})[0].groups]
        for staff_id in lonely:
            access.assign(session, admin, staff_id, [oak])
    cleared = _checklist(demo_database, admin).item("supervisor_access")
    assert cleared.looks_open is False
    assert cleared.hint == "Every active supervisor has groups this academic year."


def test_hints_for_subjects_support_requests_and_created_in_class(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.begin() as session:
        session.execute(SubjectOffer.__table__.delete().where(SubjectOffer.year_group == 10))
        first, second = session.scalars(select(Learner.id).limit(2)).all()
        session.add(SupportRequest(learner_id=first, field="surname", requested_by="admin1"))
        session.execute(update(Learner).where(Learner.id == second).values(needs_check=True))
    checklist = _checklist(demo_database, admin)
    assert checklist.item("subjects").hint == "Year 10 has no subjects offered."
    assert checklist.item("learner_details").hint == (
        "1 support request not sent. 1 learner created in class awaits checking."
    )
    assert checklist.item("learner_details").looks_open is True


def test_mark_done_records_who_and_when_per_year_and_unmark(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.begin() as session:
        marked = mark_done(session, admin, "subjects")
        again = mark_done(session, admin, "subjects")  # the first record stays
    assert marked.done_by == admin.login and marked.done_at == again.done_at
    item = _checklist(demo_database, admin).item("subjects")
    assert item.done and item.done_text().startswith(f"Done by {admin.login} on ")
    with demo_database.read() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("checklist_done") == 1

    # A new academic year starts a fresh checklist; the old marks stay with their year.
    with demo_database.begin() as session:
        session.execute(update(School).values(academic_year=2026))
    assert not _checklist(demo_database, admin).item("subjects").done
    with demo_database.begin() as session:
        session.execute(update(School).values(academic_year=2025))
    with demo_database.begin() as session:
        assert mark_not_done(session, admin, "subjects") is True
        assert mark_not_done(session, admin, "subjects") is False
    assert not _checklist(demo_database, admin).item("subjects").done


def test_supervisors_see_the_list_but_cannot_mark(
    demo_database: Database, admin: Actor, supervisor_actor: Actor
) -> None:
    checklist = _checklist(demo_database, supervisor_actor)
    assert not checklist.hints_shown
    assert all(item.looks_open is None for item in checklist.items)
    with pytest.raises(PermissionDenied), demo_database.begin() as session:
        mark_done(session, supervisor_actor, "subjects")
    with pytest.raises(PermissionDenied), demo_database.begin() as session:
        mark_not_done(session, supervisor_actor, "subjects")
    with pytest.raises(InvalidInput, match="not a task"), demo_database.begin() as session:
        mark_done(session, admin, "make tea")
    with demo_database.read() as session:
        assert session.scalars(select(ChecklistMark)).all() == []


def test_run_year_end_renames_and_discards_the_draft(demo_database: Database, admin: Actor) -> None:
    with demo_database.read() as session:
        groups = dict(session.execute(select(Group.name, Group.id)).all())
        kept, gone = session.scalars(
            select(Learner.id).where(Learner.year_group == 8, Learner.status == "on_roll").limit(2)
        ).all()
    with demo_database.begin() as session:
        save_draft(session, admin, 2025, YearEndChoices(kept_back=frozenset({kept})))
    outcome = _roll_over(
        demo_database,
        admin,
        kept_back=frozenset({kept}),
        leaving={gone: LeavingDetails(date(2026, 7, 20), "Moved away")},
        renames={groups["Year 10 Blue"]: "Year 11 Blue", groups["11A"]: "11A leavers 2026"},
    )
    assert outcome.rollover.plan.to_year == 2026
    assert outcome.renamed is not None and len(outcome.renamed.renamed) == 2
    with demo_database.read() as session:
        assert load_draft(session, admin, 2025) is None
        assert session.get(Group, groups["Year 10 Blue"]).name == "Year 11 Blue"  # type: ignore[union-attr]
        assert session.get(Learner, kept).year_group == 8  # type: ignore[union-attr]
        assert session.get(Learner, gone).status is LearnerStatus.LEFT  # type: ignore[union-attr]
        counts = last_rollover_counts(session)
    assert counts is not None and counts.before[11] > 0 and 11 in counts.after

    undone = undo_year_end_now(demo_database, admin)
    assert undone.renames_undone is not None
    with demo_database.read() as session:
        assert session.get(Group, groups["Year 10 Blue"]).name == "Year 10 Blue"  # type: ignore[union-attr]
        assert session.get(School, 1).academic_year == 2025  # type: ignore[union-attr]
        assert last_rollover_counts(session) is None


def undo_year_end_now(  # type: ignore[no-untyped-def]
    database: Database, admin: Actor, *, keep_renamed: bool = False
):
    with database.begin() as session:
        return undo_year_end(session, admin, keep_edited=True, keep_renamed=keep_renamed)


def test_a_clashing_rename_leaves_nothing_changed(demo_database: Database, admin: Actor) -> None:
    with demo_database.read() as session:
        groups = dict(session.execute(select(Group.name, Group.id)).all())
    with pytest.raises(Refused):
        _roll_over(demo_database, admin, renames={groups["10A"]: "11A"})  # 11A keeps its name
    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2025  # type: ignore[union-attr]
        assert last_rollover_counts(session) is None


def test_undo_keeps_renames_changed_since(demo_database: Database, admin: Actor) -> None:
    with demo_database.read() as session:
        seven_a = session.scalar(select(Group.id).where(Group.name == "Year 10 Blue"))
    _roll_over(demo_database, admin, renames={seven_a: "Year 11 Blue"})
    with demo_database.begin() as session:
        session.execute(update(Group).where(Group.id == seven_a).values(name="Eight A"))
    # Without agreeing to leave it, the undo is refused, naming the group.
    with pytest.raises(GroupsRenamedSince, match="“Eight A”") as refused:
        undo_year_end_now(demo_database, admin)
    assert [row.now for row in refused.value.left] == ["Eight A"]
    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2026  # type: ignore[union-attr]
    undone = undo_year_end_now(demo_database, admin, keep_renamed=True)
    assert undone.renames_undone is None and "renamed again" in (undone.renames_kept or "")
    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2025  # type: ignore[union-attr]
        assert session.get(Group, seven_a).name == "Eight A"  # type: ignore[union-attr]


def test_possible_duplicates_by_names_and_date_of_birth(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.begin() as session:
        first, second = session.scalars(
            select(Learner).where(Learner.status == "on_roll").limit(2)
        ).all()
        second.first_names = first.first_names.upper()
        second.surname = f" {first.surname} "
        second.date_of_birth = first.date_of_birth
    with demo_database.read() as session:
        rows = list_learners(session, admin)
    assert (min(first.id, second.id), max(first.id, second.id)) in [
        tuple(sorted(s)) for s in possible_duplicates(rows)
    ]


def test_summary_pdf_is_written_with_the_numbers(
    demo_database: Database, admin: Actor, supervisor_actor: Actor, tmp_path: Path
) -> None:
    with pytest.raises(Refused), demo_database.read() as session:
        write_rollover_summary_pdf(session, admin, None, tmp_path / "none.pdf")
    _roll_over(demo_database, admin)
    with demo_database.read() as session:
        with pytest.raises(InvalidInput):
            write_rollover_summary_pdf(session, admin, None, tmp_path / "s.xlsx")
        with pytest.raises(PermissionDenied):
            write_rollover_summary_pdf(session, supervisor_actor, None, tmp_path / "s.pdf")
        path = write_rollover_summary_pdf(session, admin, None, tmp_path / "summary.pdf")
        plan = plan_rollover(session, admin)  # the school is now in 2026/27
        from planit_desktop.model.entities import YearEndRun

        run = session.scalars(select(YearEndRun)).one()
        lines = summary_lines(session, run)
    assert plan.from_year == 2026
    assert path.read_bytes().startswith(b"%PDF")
    assert lines["title"] == "Plan-it year end: 2025/26 to 2026/27"
    assert any("moved up one year group" in line for line in lines["numbers"])
    assert [name for name, _b, _a in lines["years"]][0] == "Year 7"
    assert list(tmp_path.glob("*.part")) == []
