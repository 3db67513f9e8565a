"""Leavers: marked left (never deleted), reinstated, and their data removed years later."""

from __future__ import annotations

import re
from datetime import date

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    GroupMembership,
    Learner,
    LearnerCredential,
    LearnerStatus,
    SupportRequest,
)
from planit_desktop.model.errors import InvalidInput, NotFound, PermissionDenied, Refused
from planit_desktop.model.services.credentials.learner_passwords import issue_secondary_password
from planit_desktop.model.services.credentials.learner_site import learner_sign_in
from planit_desktop.model.services.learners.leavers import (
    mark_left,
    old_leavers,
    reinstate,
    remove_old_leavers_data,
)
from tests.support.corrections import ADA, TODAY, TOM, ZOE, correct, count, learner


def test_marking_learners_left_ends_their_access_and_keeps_them(
    school: Database, admin: Actor
) -> None:
    with school.begin() as session:
        secondary = issue_secondary_password(session, admin, ADA)
    before = learner(school, ADA).version
    with school.begin() as session:
        marked = mark_left(
            session, admin, [ADA, ZOE], left_on=date(2025, 10, 31), reason=" moved  away ",
            today=TODAY,
        )  # fmt: skip
    assert marked == 2
    ada = learner(school, ADA)
    assert (ada.status, ada.left_on, ada.left_reason) == (
        LearnerStatus.LEFT, date(2025, 10, 31), "moved away",
    )  # fmt: skip
    assert ada.version == before + 1
    assert count(school, GroupMembership, GroupMembership.learner_id == ADA) == 1  # kept
    with school.read() as session:
        credential = session.get(LearnerCredential, ADA)
        assert credential is not None and credential.secondary_hash is None
    with school.begin() as session:
        assert not learner_sign_in(session, ADA, secondary).signed_in
    assert count(school, AuditEntry, AuditEntry.action == "learner_left") == 2


def test_marking_a_learner_left_twice_is_refused_and_changes_nobody(
    school: Database, admin: Actor
) -> None:
    with pytest.raises(Refused) as refused, school.begin() as session:
        mark_left(session, admin, [ADA, TOM], left_on=TODAY, reason="moved", today=TODAY)
    assert refused.value.message == (
        "Tom Smith is already marked as left on 20/07/2024. Nobody was marked as left."
    )
    assert learner(school, ADA).status is LearnerStatus.ON_ROLL


@pytest.mark.parametrize(
    ("leaving", "expected"),
    [
        (([ADA], date(2025, 11, 4), "moved"), (InvalidInput, "is in the future")),
        (([ADA], TODAY, "   "), (InvalidInput, "Give a reason")),
        (([], TODAY, "moved"), (InvalidInput, "Choose the learners")),
        (([ADA, 999], TODAY, "moved"), (NotFound, "1 of the learners chosen no longer exist")),
    ],
)
def test_bad_leaving_details_are_refused(
    school: Database,
    admin: Actor,
    leaving: tuple[list[int], date, str],
    expected: tuple[type[Exception], str],
) -> None:
    ids, left_on, reason = leaving
    with pytest.raises(expected[0], match=expected[1]), school.begin() as session:
        mark_left(session, admin, ids, left_on=left_on, reason=reason, today=TODAY)
    assert learner(school, ADA).status is LearnerStatus.ON_ROLL


def test_supervisors_are_refused_every_leavers_action_and_audited(
    school: Database, sam: Actor
) -> None:
    actions = [
        lambda s: mark_left(s, sam, [ZOE], left_on=TODAY, reason="moved", today=TODAY),
        lambda s: reinstate(s, sam, TOM),
        lambda s: old_leavers(s, sam, today=TODAY),
        lambda s: remove_old_leavers_data(s, sam, [TOM], years=1, today=TODAY),
    ]
    for action in actions:
        with pytest.raises(PermissionDenied), school.begin() as session:
            action(session)
    assert count(school, AuditEntry, AuditEntry.action == "refused") == len(actions)
    assert learner(school, ZOE).status is LearnerStatus.ON_ROLL
    assert learner(school, TOM).status is LearnerStatus.LEFT


def test_reinstating_puts_a_leaver_back_on_roll(school: Database, admin: Actor) -> None:
    with school.begin() as session:
        reinstate(session, admin, TOM)
    tom = learner(school, TOM)
    assert (tom.status, tom.left_on, tom.left_reason) == (LearnerStatus.ON_ROLL, None, None)
    with pytest.raises(Refused, match="Tom Smith is on roll already"), school.begin() as session:
        reinstate(session, admin, TOM)


def _allow_shared_identifiers(database: Database) -> None:
    """Drop the unique UPN and SIMS constraints, as a database could be that got its data
    from elsewhere: the only way two learners can hold one UPN."""
    with database.engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("learner", recreate="auto") as batch:
            batch.drop_constraint("uq_learner_upn", type_="unique")
            batch.drop_constraint("uq_learner_sims_number", type_="unique")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("upn", "H801200001001", "their UPN H801200001001 is now used by Ada Lovelace (Year 9)"),
        ("sims_number", "0002", "their SIMS number 0002 is now used by Zoë O'Brien (Year 7)"),
    ],
)
def test_reinstating_a_learner_whose_identifier_was_given_to_another_is_refused(
    school: Database, admin: Actor, field: str, value: str, message: str
) -> None:
    _allow_shared_identifiers(school)
    with school.begin() as session:
        tom = session.get(Learner, TOM)
        assert tom is not None
        setattr(tom, field, value)
    with pytest.raises(Refused, match=re.escape(message)), school.begin() as session:
        reinstate(session, admin, TOM)
    assert learner(school, TOM).status is LearnerStatus.LEFT


def test_old_leavers_are_those_who_left_more_than_n_years_ago(
    school: Database, admin: Actor
) -> None:
    with school.begin() as session:
        mark_left(session, admin, [ZOE], left_on=date(2019, 11, 3), reason="moved", today=TODAY)
    with school.read() as session:
        assert [r.id for r in old_leavers(session, admin, today=TODAY)] == []  # exactly 6 years
        assert [r.id for r in old_leavers(session, admin, today=date(2025, 11, 4))] == [ZOE]
        assert [r.id for r in old_leavers(session, admin, years=1, today=TODAY)] == [ZOE, TOM]
        with pytest.raises(InvalidInput):
            old_leavers(session, admin, years=0, today=TODAY)


def test_removing_old_leavers_data_deletes_it_and_keeps_only_the_fact(
    school: Database, admin: Actor
) -> None:
    correct(school, admin, TOM, surname="Smyth")  # history and a support request about Tom
    with school.begin() as session:
        removed = remove_old_leavers_data(session, admin, [TOM], years=1, today=TODAY)
    assert removed == 1
    assert count(school, Learner, Learner.id == TOM) == 0
    assert count(school, GroupMembership, GroupMembership.learner_id == TOM) == 0
    assert count(school, SupportRequest, SupportRequest.learner_id == TOM) == 0
    with school.read() as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.old_value, AuditEntry.new_value, AuditEntry.detail)
            .where(AuditEntry.entity == "learner", AuditEntry.entity_id == TOM)
            .order_by(AuditEntry.id)
        ).all()
    assert entries == [
        ("learner_corrected", None, None, "(removed with the learner's personal data)"),
        ("learner_data_removed", None, None, "personal data removed: left more than 1 years ago"),
    ]
    assert learner(school, ADA).surname == "Lovelace"


def test_removing_data_of_anyone_not_an_old_leaver_is_refused(
    school: Database, admin: Actor
) -> None:
    with pytest.raises(Refused) as refused, school.begin() as session:
        remove_old_leavers_data(session, admin, [TOM, ADA], years=1, today=TODAY)
    assert "1 of the learners chosen did not leave more than 1 years ago" in refused.value.message
    assert "Ada Lovelace (Year 9)" in refused.value.message
    assert count(school, Learner) == 3
    with pytest.raises(Refused), school.begin() as session:
        remove_old_leavers_data(session, admin, [TOM], years=6, today=TODAY)
    assert count(school, Learner, Learner.id == TOM) == 1
