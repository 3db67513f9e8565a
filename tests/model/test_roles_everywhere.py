"""Roles hold everywhere: every public service that changes data checks the actor's role
against the database, refusing before it writes anything.

The services are found by walking every module of ``planit_desktop.model.services`` for
public functions taking ``(session, actor, …)``. Each must be listed below, as a change
(:data:`CHANGES`, called with plausible arguments), a reading (:data:`READS`, shown to
write nothing), or an exception with its reason (:data:`EXCEPTIONS`): a new service cannot
be forgotten. Every change is then tried by a supervisor (with groups of their own), by an
actor with no staff record that claims to be an administrator, by a new school's founder,
and by an administrator deactivated since signing in: each is refused with
PermissionDenied, no INSERT, UPDATE or DELETE reaches the database before the refusal,
nothing changes, and the refusal is audited.

A few changes are a supervisor's to make within bounds (in-class Create New User in their
own groups, a first password for a learner they created in class, exporting the learners
they can see): they are called here outside those bounds, which must be refused; their
allowed uses are tested beside them (test_quick_create, test_learner_site_sign_in,
test_export_learners).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update

from planit_desktop.model import services
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    GroupMembership,
    Learner,
    LearnerStatus,
    Staff,
    StaffRole,
    Subject,
)
from planit_desktop.model.errors import PermissionDenied
from planit_desktop.model.services import permissions, school
from planit_desktop.model.services.credentials import learner_passwords as credentials
from planit_desktop.model.services.credentials import secondary as secondary_passwords
from planit_desktop.model.services.groups import batches as rename_batches
from planit_desktop.model.services.groups import editing as group_changes
from planit_desktop.model.services.groups import listing as groups
from planit_desktop.model.services.importing import committing
from planit_desktop.model.services.learners import (
    corrections,
    exporting,
    leavers,
    merging,
    support_requests,
)
from planit_desktop.model.services.learners import details as learner_details
from planit_desktop.model.services.learners import history as learner_history
from planit_desktop.model.services.learners import in_class as quick_create
from planit_desktop.model.services.learners import roll as learners
from planit_desktop.model.services.reconcile import applying as mis_apply
from planit_desktop.model.services.reconcile import roll as mis_roll
from planit_desktop.model.services.reconcile import summary as mis_summary
from planit_desktop.model.services.reconcile.review import ApplyPlan
from planit_desktop.model.services.staff import access, sign_in
from planit_desktop.model.services.staff import members as staff
from planit_desktop.model.services.subjects import offers as subjects
from planit_desktop.model.services.year_end import (
    YearEndChoices,
    apply,
    journal,
    plan,
    renames,
    report,
    undo,
)
from planit_desktop.model.services.year_end import checklist as year_end_checklist
from planit_desktop.model.services.year_end import draft as year_end_draft
from planit_desktop.model.services.year_end import run as year_end_run
from planit_desktop.model.services.year_end import summary_pdf as rollover_summary_pdf
from tests.support.rollover import checksum
from tests.support.sign_in import DEMO_ADMINISTRATOR, DEMO_SUPERVISOR, staff_actor


def _walk() -> dict[str, Callable[..., Any]]:
    """Every public function of the services package taking ``(session, actor, …)``."""
    prefix = f"{services.__name__}."
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.walk_packages(services.__path__, prefix=prefix):
        module = importlib.import_module(info.name)
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:  # imported from elsewhere
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters[:1] == ["session"] and "actor" in parameters:
                found[f"{module.__name__.removeprefix(prefix)}.{name}"] = function
    return found


@dataclass(frozen=True)
class School:
    """Rows of the demo school the calls are made on, chosen so that only the role can be the
    reason for a refusal: the supervisor's own group and learner, others' too."""

    supervisor: int  # supervisor1, whose groups these are
    other_supervisor: int
    administrator: int  # admin2 (admin1 acts, where an administrator is needed)
    group: int  # one of supervisor1's groups
    other_group: int  # not one of theirs
    learner: int  # on roll, in ``group``
    version: int
    other_learner: int  # on roll, in none of their groups
    other_row: learners.LearnerRow
    left_learner: int
    subject: int
    folder: Path


Call = Callable[[Any, Actor, School], object]


def _own_password(actor: Actor) -> str:
    """The acting member of staff's own password, where a service asks for it: so that only
    the role can be the reason for a refusal."""
    return DEMO_ADMINISTRATOR[1] if actor.login == DEMO_ADMINISTRATOR[0] else DEMO_SUPERVISOR[1]


NOW = datetime(2026, 8, 3, 9, 0)

#: Every public service that changes data (or writes a file of personal data), as a call.
CHANGES: dict[str, Call] = {
    "staff.access.assign": lambda s, a, x: access.assign(s, a, x.other_supervisor, [x.group]),
    "staff.access.unassign": lambda s, a, x: access.unassign(s, a, x.supervisor, [x.group]),
    "staff.access.set_assignments": lambda s, a, x: access.set_assignments(
        s, a, x.supervisor, [x.group, x.other_group]
    ),
    "staff.access.restore_last_years_assignments": lambda s, a, x: (
        access.restore_last_years_assignments(s, a, [x.supervisor])
    ),
    "learners.corrections.correct_learner": lambda s, a, x: corrections.correct_learner(
        s, a, x.learner, {"surname": "Changed"}, expected_version=x.version
    ),
    "credentials.learner_passwords.issue_temporary_password": lambda s, a, x: (
        credentials.issue_temporary_password(s, a, x.learner)
    ),  # imported, not made in class
    "credentials.learner_passwords.issue_temporary_passwords": lambda s, a, x: (
        credentials.issue_temporary_passwords(s, a, [x.learner])
    ),
    "credentials.learner_passwords.store_temporary_passwords": lambda s, a, x: (
        credentials.store_temporary_passwords(s, a, {x.learner: ("a-password", "$argon2id$x")})
    ),
    "credentials.learner_passwords.issue_secondary_password": lambda s, a, x: (
        credentials.issue_secondary_password(s, a, x.learner)
    ),
    "credentials.learner_passwords.issue_secondary_passwords": lambda s, a, x: (
        credentials.issue_secondary_passwords(s, a, [x.learner])
    ),
    "credentials.learner_passwords.store_secondary_passwords": lambda s, a, x: (
        credentials.store_secondary_passwords(s, a, {x.learner: ("a-password", "$argon2id$x")})
    ),
    "credentials.secondary.issue_secondary": lambda s, a, x: secondary_passwords.issue_secondary(
        s, a, [x.learner]
    ),
    # Supervisors may export the learners they see (as in the window): not someone else's.
    "learners.exporting.export_learners": lambda s, a, x: exporting.export_learners(
        s, a, x.folder / "learners.xlsx", rows=[x.other_row]
    ),
    "groups.editing.create_group": lambda s, a, x: group_changes.create_group(s, a, "New"),
    "groups.editing.apply_renames": lambda s, a, x: group_changes.apply_renames(
        s, a, {x.group: "Renamed"}
    ),
    "groups.editing.rename_groups": lambda s, a, x: group_changes.rename_groups(
        s, a, {x.group: "Renamed"}
    ),
    "groups.editing.rename_group": lambda s, a, x: group_changes.rename_group(
        s, a, x.group, "Renamed"
    ),
    "groups.editing.add_members": lambda s, a, x: group_changes.add_members(
        s, a, x.group, [x.other_learner]
    ),
    "groups.editing.remove_members": lambda s, a, x: group_changes.remove_members(
        s, a, x.group, [x.learner]
    ),
    "groups.editing.move_members": lambda s, a, x: group_changes.move_members(
        s, a, x.group, x.other_group, [x.learner]
    ),
    "groups.editing.copy_members": lambda s, a, x: group_changes.copy_members(
        s, a, x.group, x.other_group, [x.learner]
    ),
    "groups.editing.delete_group": lambda s, a, x: group_changes.delete_group(
        s, a, x.group, remove_members=True
    ),
    "groups.editing.undo_change": lambda s, a, x: group_changes.undo_change(
        s, a, group_changes.Change("Add", added=((x.learner, x.group),))
    ),
    "importing.committing.import_learners": lambda s, a, x: committing.import_learners(
        s,
        a,
        None,
        password_pairs=[],
        source_name="new.xlsx",  # type: ignore[arg-type]
    ),
    "learners.leavers.mark_left": lambda s, a, x: leavers.mark_left(
        s, a, [x.learner], left_on=date(2025, 12, 1), reason="Moved away"
    ),
    "learners.leavers.reinstate": lambda s, a, x: leavers.reinstate(s, a, x.left_learner),
    "learners.leavers.remove_old_leavers_data": lambda s, a, x: leavers.remove_old_leavers_data(
        s, a, [x.left_learner], years=0
    ),
    # Supervisors may create learners in class, in their own groups only.
    "learners.in_class.quick_create": lambda s, a, x: quick_create.quick_create(
        s,
        a,
        first_names="Newt",
        surname="Scamander",
        date_of_birth="01/01/2013",
        year_group=7,
        tutor_group=s.get(groups.Group, x.other_group).name,
        staff_password=_own_password(a),
    ),  # fmt: skip
    "learners.merging.confirm_checked": lambda s, a, x: merging.confirm_checked(s, a, x.learner),
    "learners.merging.merge_learners": lambda s, a, x: merging.merge_learners(
        s, a, x.learner, x.other_learner
    ),
    "year_end.apply.apply_rollover": lambda s, a, x: apply.apply_rollover(
        s, a, today=date(2026, 8, 3)
    ),
    "year_end.apply.change_learners": lambda s, a, x: apply.change_learners(
        s,
        a,
        1,
        None,
        None,  # type: ignore[arg-type]
    ),
    "year_end.apply.end_supervisor_access": lambda s, a, x: apply.end_supervisor_access(
        s,
        a,
        1,
        None,
        NOW,  # type: ignore[arg-type]
    ),
    "year_end.journal.audit_journal": lambda s, a, x: journal.audit_journal(
        s, a, 1, action="rollover", detail="x"
    ),
    "year_end.journal.audit_access": lambda s, a, x: journal.audit_access(
        s, a, 1, action="access_ended", detail="x", ended=True
    ),
    "groups.batches.rename_in_batch": lambda s, a, x: rename_batches.rename_in_batch(
        s, a, {x.group: "Renamed"}
    ),
    "groups.batches.undo_rename_batch": lambda s, a, x: rename_batches.undo_rename_batch(s, a),
    "year_end.renames.rename_after_rollover": lambda s, a, x: renames.rename_after_rollover(
        s, a, 1, {x.group: "Renamed"}
    ),
    "year_end.renames.restore_names": lambda s, a, x: renames.restore_names(
        s, a, renames.NamesToRestore(1, {x.group: "Renamed"}, {x.group: "Before"}), "x"
    ),
    "year_end.report.write_rollover_report": lambda s, a, x: report.write_rollover_report(
        s, a, None, x.folder / "report.xlsx"
    ),
    "year_end.undo.undo_rollover": lambda s, a, x: undo.undo_rollover(s, a),
    "year_end.summary_pdf.write_rollover_summary_pdf": lambda s, a, x: (
        rollover_summary_pdf.write_rollover_summary_pdf(s, a, None, x.folder / "summary.pdf")
    ),
    "school.create_school": lambda s, a, x: school.create_school(
        s, a, name="Another", academic_year=2025
    ),
    "school.set_school_details": lambda s, a, x: school.set_school_details(
        s, a, la_code="801", establishment_number="4001"
    ),
    "staff.sign_in.reset_password": lambda s, a, x: sign_in.reset_password(s, a, x.administrator),
    "staff.members.add_staff": lambda s, a, x: staff.add_staff(
        s, a, name="New Person", login="newperson", role=StaffRole.ADMINISTRATOR
    ),
    "staff.members.change_role": lambda s, a, x: staff.change_role(
        s, a, x.supervisor, StaffRole.ADMINISTRATOR
    ),
    "staff.members.deactivate": lambda s, a, x: staff.deactivate(s, a, x.administrator),
    "staff.members.reactivate": lambda s, a, x: staff.reactivate(s, a, x.administrator),
    "staff.members.end_current_access": lambda s, a, x: staff.end_current_access(
        s, a, x.other_supervisor, "left"
    ),
    "subjects.offers.add_subject": lambda s, a, x: subjects.add_subject(s, a, "Astronomy"),
    "subjects.offers.rename_subject": lambda s, a, x: subjects.rename_subject(
        s, a, x.subject, "Renamed"
    ),
    "subjects.offers.retire_subject": lambda s, a, x: subjects.retire_subject(s, a, x.subject),
    "subjects.offers.restore_subject": lambda s, a, x: subjects.restore_subject(s, a, x.subject),
    "subjects.offers.set_offer": lambda s, a, x: subjects.set_offer(s, a, x.subject, 7, True),
    "learners.support_requests.record_requests": lambda s, a, x: support_requests.record_requests(
        s, a, x.learner, [("surname", "Old", "New")]
    ),
    "learners.support_requests.export_support_requests": lambda s, a, x: (
        support_requests.export_support_requests(s, a, x.folder / "requests.xlsx")
    ),
    "year_end.checklist.mark_done": lambda s, a, x: year_end_checklist.mark_done(s, a, "subjects"),
    "year_end.checklist.mark_not_done": lambda s, a, x: year_end_checklist.mark_not_done(
        s, a, "subjects"
    ),
    "year_end.draft.save_draft": lambda s, a, x: year_end_draft.save_draft(
        s, a, 2025, YearEndChoices()
    ),
    "year_end.draft.discard_draft": lambda s, a, x: year_end_draft.discard_draft(s, a, 2025),
    "year_end.run.run_year_end": lambda s, a, x: year_end_run.run_year_end(
        s, a, YearEndChoices(), from_year=2025, today=date(2026, 8, 3)
    ),
    "year_end.run.undo_year_end": lambda s, a, x: year_end_run.undo_year_end(s, a),
    "reconcile.applying.apply_reconciliation": lambda s, a, x: mis_apply.apply_reconciliation(
        s, a, ApplyPlan(2025, "roll.xlsx", leavers=(x.learner,)), today=date(2026, 8, 3)
    ),
    "reconcile.applying.undo_reconciliation": lambda s, a, x: mis_apply.undo_reconciliation(
        s,
        a,
        mis_apply.ApplyResult(
            ApplyPlan(2025, "roll.xlsx", leavers=(x.left_learner,)), (), (), (), {}
        ),
        today=date(2026, 8, 3),
    ),
    "reconcile.summary.record_check": lambda s, a, x: mis_summary.record_check(
        s, a, source_name="roll.xlsx", found={"not_in_mis": 1}
    ),
}

#: Services that only read (an administrator's call is shown to write nothing). Who may see
#: what is each one's own rule (tested beside it); here only that none of them writes.
READS: dict[str, Call] = {
    "staff.access.access_lost_at_last_rollover": lambda s, a, x: (
        access.access_lost_at_last_rollover(s, a)
    ),
    "staff.access.supervisors_without_groups": lambda s, a, x: access.supervisors_without_groups(
        s, a
    ),
    "credentials.learner_passwords.learners_with_unused_secondary": lambda s, a, x: (
        credentials.learners_with_unused_secondary(s, a)
    ),
    "groups.listing.list_groups": lambda s, a, x: groups.list_groups(s, a),
    "groups.listing.group_members": lambda s, a, x: groups.group_members(s, a, x.group),
    "learners.details.learner_details": lambda s, a, x: learner_details.learner_details(
        s, a, x.learner
    ),
    "learners.history.learner_history": lambda s, a, x: learner_history.learner_history(
        s, a, x.learner
    ),
    "learners.roll.list_learners": lambda s, a, x: learners.list_learners(s, a),
    "learners.roll.first_learners": lambda s, a, x: learners.first_learners(s, a, 25),
    "learners.roll.learner_rows": lambda s, a, x: learners.learner_rows(s, a, [x.learner]),
    "learners.roll.find_learners": lambda s, a, x: learners.find_learners(s, a, surname="Smith"),
    "learners.roll.to_check": lambda s, a, x: learners.to_check(s, a),
    "learners.leavers.old_leavers": lambda s, a, x: leavers.old_leavers(s, a),
    "permissions.current_role": lambda s, a, x: permissions.current_role(s, a),
    "permissions.require_administrator": lambda s, a, x: permissions.require_administrator(
        s, a, "look"
    ),
    "permissions.require_founder_or_administrator": lambda s, a, x: (
        permissions.require_founder_or_administrator(s, a, "look")
    ),
    "permissions.require_staff": lambda s, a, x: permissions.require_staff(s, a, "look"),
    "permissions.visible_group_ids": lambda s, a, x: permissions.visible_group_ids(s, a),
    "permissions.visible_learners": lambda s, a, x: permissions.visible_learners(s, a),
    "year_end.plan.plan_rollover": lambda s, a, x: plan.plan_rollover(s, a),
    "year_end.renames.suggest_group_renames": lambda s, a, x: renames.suggest_group_renames(s, a),
    "year_end.undo.undo_preview": lambda s, a, x: _no_run_to_undo(lambda: undo.undo_preview(s, a)),
    "credentials.secondary.unused_secondary": lambda s, a, x: secondary_passwords.unused_secondary(
        s, a
    ),
    "staff.members.list_staff": lambda s, a, x: staff.list_staff(s, a),
    "subjects.offers.subject_matrix": lambda s, a, x: subjects.subject_matrix(s, a),
    "learners.support_requests.list_support_requests": lambda s, a, x: (
        support_requests.list_support_requests(s, a)
    ),
    "learners.support_requests.list_sent_batches": lambda s, a, x: (
        support_requests.list_sent_batches(s, a)
    ),
    "year_end.checklist.work_out_hints": lambda s, a, x: year_end_checklist.work_out_hints(s, a),
    "year_end.checklist.year_end_checklist": lambda s, a, x: year_end_checklist.year_end_checklist(
        s, a
    ),
    "year_end.draft.load_draft": lambda s, a, x: year_end_draft.load_draft(s, a, 2025),
    "reconcile.roll.load_roll": lambda s, a, x: mis_roll.load_roll(s, a),
}

#: Services that change data but are not refused to a supervisor, and why.
EXCEPTIONS: dict[str, str] = {
    "audit.record": "the audit log itself: every actor's actions are recorded, refusals too",
    "audit.record_many": "the audit log itself, for bulk work (its callers check the role)",
    "audit.file_written": "the audit log itself: a file of personal data written by anyone",
    "audit.record_rows": "the audit log itself, for bulk work (its callers check the role)",
    "audit.record_select": "the audit log itself, for set-based work (its callers check the role)",
    "credentials.learner_passwords.require_may_issue_temporary": "the check itself: "
    "administrators, or a supervisor for a learner created in class with no password yet",
    "credentials.learner_passwords.prepare_temporary_password": "writes nothing; checked by "
    "require_may_issue_temporary, as the delivery that stores it is",
    "credentials.learner_passwords.deliver_temporary_password": "a supervisor delivers the "
    "first password of a learner they created in class; store_temporary_passwords checks who may",
    "credentials.password_files.write_password_copy": "any active member of staff saves a copy "
    "of the passwords they were just given (require_staff refuses anyone without a staff record)",
    "credentials.forgotten.prepare_forgotten_password": "Forgotten Password, for every member "
    "of staff (supervisors with no groups too), confirmed by their own password; writes "
    "nothing: test_forgotten_password",
    "staff.sign_in.confirm_own_password": "the check itself: any active member of staff "
    "confirms with their own password (refused to anyone without a staff record)",
    "staff.sign_in.change_own_password": "every member of staff changes their own password (it "
    "refuses anyone without a staff record, and checks the current password)",
    "demo.school.create_demo_school": "only into an empty database (refused otherwise, before the "
    "role), and only by its founder: test_a_demo_school_is_made_by_its_founder_only",
}


def _no_run_to_undo(call: Callable[[], object]) -> object:
    from planit_desktop.model.errors import Refused

    try:
        return call()
    except Refused:  # the demo school has not been rolled over: said, not written
        return None


def test_every_service_that_takes_an_actor_is_listed() -> None:
    walked = set(_walk())
    listed = set(CHANGES) | set(READS) | set(EXCEPTIONS)
    assert not set(CHANGES) & set(READS) and not (set(CHANGES) | set(READS)) & set(EXCEPTIONS)
    assert walked - listed == set(), "new services: list each in CHANGES, READS or EXCEPTIONS"
    assert listed - walked == set(), "listed but no longer a service taking an actor"
    assert len(walked) > 80  # the walk found the services, not nothing


# --- the school and who acts on it -------------------------------------------------------------


@pytest.fixture
def rows(demo_database: Database, tmp_path: Path) -> School:
    (tmp_path / "out").mkdir()
    with demo_database.read() as session:
        supervisor = staff_actor(session, DEMO_SUPERVISOR[0])
        theirs = permissions.visible_group_ids(session, supervisor)
        assert theirs
        group = min(theirs)
        on_roll = Learner.status == LearnerStatus.ON_ROLL
        learner = session.scalars(
            select(Learner)
            .join(GroupMembership, GroupMembership.learner_id == Learner.id)
            .where(GroupMembership.group_id == group, on_roll)
            .order_by(Learner.id)
        ).first()
        seen = {row.id for row in learners.list_learners(session, supervisor)}
        everyone = learners.list_learners(session, staff_actor(session, DEMO_ADMINISTRATOR[0]))
        other_row = next(r for r in everyone if r.id not in seen and r.status == "on_roll")
        other_group = min(
            g.id for g in groups.list_groups(session, staff_actor(session, DEMO_ADMINISTRATOR[0]))
            if g.id not in theirs
        )  # fmt: skip
        left = session.scalars(select(Learner.id).where(Learner.status == LearnerStatus.LEFT))
        assert learner is not None
        return School(
            supervisor=supervisor.staff_id or 0,
            other_supervisor=staff_actor(session, "supervisor2").staff_id or 0,
            administrator=staff_actor(session, "admin2").staff_id or 0,
            group=group,
            other_group=other_group,
            learner=learner.id,
            version=learner.version,
            other_learner=other_row.id,
            other_row=other_row,
            left_learner=left.first() or 0,
            subject=session.scalars(select(Subject.id).order_by(Subject.id)).first() or 0,
            folder=tmp_path / "out",
        )


def _deactivated_administrator(database: Database) -> Actor:
    """admin2, signed in, then deactivated by another administrator: refused at once."""
    actor = staff_actor(database, "admin2")
    with database.begin() as session:
        session.execute(update(Staff).where(Staff.id == actor.staff_id).values(active=False))
    return actor


ACTORS: dict[str, Callable[[Database], Actor]] = {
    "a supervisor with groups of their own": lambda db: staff_actor(db, DEMO_SUPERVISOR[0]),
    "no staff record, claiming to be an administrator": lambda _db: Actor(
        "os:someone", "Someone", StaffRole.ADMINISTRATOR
    ),
    "the founder of a new school": lambda _db: Actor.founder(),
    "an administrator deactivated since signing in": _deactivated_administrator,
}


class _Writes:
    """Collects the INSERT, UPDATE and DELETE statements sent while :attr:`on` is set."""

    def __init__(self, database: Database) -> None:
        self.on = False
        self.sent: list[str] = []
        self.engine = database.engine

    def __enter__(self) -> _Writes:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if self.on and verb in ("INSERT", "UPDATE", "DELETE"):
            self.sent.append(" ".join(statement.split())[:80])

    @contextmanager
    def recording(self) -> Iterator[None]:
        self.on = True
        try:
            yield
        finally:
            self.on = False


def _data(database: Database) -> dict[str, str]:
    """Every table's rows but the audit log's (whose refusal entries are checked apart)."""
    return {t: h for t, h in checksum(database).items() if t != "audit_entry"}


def _audit(database: Database) -> list[tuple[str, str, str | None]]:
    with database.read() as session:
        query = select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
        return [tuple(r) for r in session.execute(query.order_by(AuditEntry.id))]  # type: ignore[misc]


@pytest.mark.parametrize("who", list(ACTORS))
def test_every_change_is_refused_to_anyone_but_an_administrator(
    demo_database: Database, rows: School, who: str
) -> None:
    actor = ACTORS[who](demo_database)
    data, audit = _data(demo_database), _audit(demo_database)
    wrong: list[str] = []
    with _Writes(demo_database) as writes:
        for name, call in CHANGES.items():
            writes.sent.clear()
            try:
                # Only the service's own statements are watched: the refusal's audit entry is
                # written afterwards by Database.begin, in a transaction of its own.
                with demo_database.begin() as session, writes.recording():
                    call(session, actor, rows)
            except PermissionDenied as refused:
                action = refused.action
            except Exception as error:  # noqa: BLE001 - reported with the service's name
                wrong.append(f"{name}: {type(error).__name__} instead: {error}")
                data, audit = _data(demo_database), _audit(demo_database)
                continue
            else:
                wrong.append(f"{name}: done, not refused")
                data, audit = _data(demo_database), _audit(demo_database)
                continue
            if writes.sent:
                wrong.append(f"{name}: wrote before refusing: {writes.sent}")
            if _data(demo_database) != data:
                wrong.append(f"{name}: changed the data")
                data = _data(demo_database)
            now = _audit(demo_database)
            if now[len(audit) :] != [(actor.login, "refused", action)]:
                wrong.append(f"{name}: audited {now[len(audit) :]}")
            audit = now
    assert wrong == [], "\n".join(wrong)
    assert sorted(p.name for p in rows.folder.iterdir()) == []  # no file was written


def test_an_administrator_is_let_through(demo_database: Database, rows: School) -> None:
    """The other half: the same calls as admin1 are not refused (a check that refused
    everyone would pass the test above)."""
    admin = staff_actor(demo_database, DEMO_ADMINISTRATOR[0])
    data = _data(demo_database)
    for name, call in CHANGES.items():
        try:
            with demo_database.begin() as session:
                call(session, admin, rows)
                raise _RolledBack  # only whether it is let through matters here
        except PermissionDenied as refused:
            pytest.fail(f"{name} refused an active administrator: {refused}")
        except Exception:  # noqa: BLE001,S110 - _RolledBack, or placeholder arguments
            pass
    assert _data(demo_database) == data


class _RolledBack(Exception):
    """Raised to roll a transaction back once its service has run."""


def test_readings_write_nothing(demo_database: Database, rows: School) -> None:
    admin = staff_actor(demo_database, DEMO_ADMINISTRATOR[0])
    data = _data(demo_database)
    with _Writes(demo_database) as writes:
        for name, call in READS.items():
            with demo_database.read() as session, writes.recording():
                call(session, admin, rows)
            assert writes.sent == [], f"{name} wrote: {writes.sent}"
    assert _data(demo_database) == data


def test_a_demo_school_is_made_by_its_founder_only(database: Database) -> None:
    from planit_desktop.model.errors import Refused
    from planit_desktop.model.services.demo.school import create_demo_school

    pretender = Actor("os:someone", "Someone", StaffRole.ADMINISTRATOR)
    with pytest.raises(PermissionDenied), database.begin() as session:
        create_demo_school(session, learners=10, actor=pretender)
    with database.begin() as session:
        create_demo_school(session, learners=10, actor=Actor.founder())
    # Once it holds a school, nobody adds a demo school to it (the founder included).
    with pytest.raises(Refused, match="already holds"), database.begin() as session:
        create_demo_school(session, learners=10, actor=Actor.founder())
