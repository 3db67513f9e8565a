"""Create New User in class: duplicate warnings, a temporary password once, then check or merge."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    Group,
    GroupMembership,
    Learner,
    LearnerCredential,
    LearnerOrigin,
    Staff,
    SupportRequest,
)
from planit_desktop.model.errors import InvalidInput, PermissionDenied, Refused
from planit_desktop.model.services.credentials.hashing import hash_password
from planit_desktop.model.services.credentials.learner_passwords import deliver_temporary_password
from planit_desktop.model.services.credentials.learner_site import learner_sign_in
from planit_desktop.model.services.learners.in_class import QuickCreateResult, quick_create
from planit_desktop.model.services.learners.merging import confirm_checked, merge_learners
from planit_desktop.model.services.learners.roll import to_check
from tests.support.corrections import ADA, GROUP_7A, OAK, TODAY, ZOE, correct, count, learner
from tests.support.sign_in import TEST_ADMIN_PASSWORD

#: Sam's own password, which Create New User asks of him (set by ``sams_password``).
SAM_PASSWORD = "sams-own-password"


@pytest.fixture(autouse=True)
def sams_password(school: Database) -> None:
    with school.begin() as session:
        staff = session.get(Staff, 1)
        assert staff is not None
        staff.password_hash = hash_password(SAM_PASSWORD)


def own_password(actor: Actor) -> str:
    return TEST_ADMIN_PASSWORD if actor.is_administrator else SAM_PASSWORD


def create(
    database: Database, actor: Actor, *, deliver: bool = True, **details: object
) -> QuickCreateResult:
    """Create New User; then (``deliver``) store the password, as closing its window does."""
    values: dict[str, object] = {
        "first_names": "Grace",
        "surname": "Hopper",
        "date_of_birth": "09/12/2013",
        "year_group": "Year 7",
        "tutor_group": "7A",
        "staff_password": own_password(actor),
        "today": TODAY,
    } | details
    with database.begin() as session:
        result = quick_create(session, actor, **values)  # type: ignore[arg-type]
    if deliver and result.prepared is not None:
        with database.begin() as session:
            deliver_temporary_password(session, actor, result.prepared)
    return result


def test_a_supervisor_creates_a_learner_in_their_group(school: Database, sam: Actor) -> None:
    result = create(school, sam, deliver=False)
    assert result.created and result.learner_id is not None
    assert result.login == "ghopper1" and result.duplicates == ()
    assert result.password_row is not None and result.password_row.tutor_group == "7A"
    new = learner(school, result.learner_id)
    assert (new.origin, new.year_group, new.date_of_birth) == (
        LearnerOrigin.QUICK_CREATE, 7, date(2013, 12, 9),
    )  # fmt: skip
    assert new.needs_check  # type: ignore[attr-defined]
    assert count(school, GroupMembership, GroupMembership.learner_id == new.id) == 1
    # The password is not stored until it is delivered (shown and closed, or on a slip).
    assert count(school, LearnerCredential, LearnerCredential.learner_id == new.id) == 0
    with school.begin() as session:
        assert not learner_sign_in(session, "ghopper1", result.password or "").signed_in
    assert result.prepared is not None
    with school.begin() as session:
        deliver_temporary_password(session, sam, result.prepared)
    with school.begin() as session:
        outcome = learner_sign_in(session, "ghopper1", result.password or "")
    assert outcome.signed_in and outcome.must_choose_new_password
    assert count(school, AuditEntry, AuditEntry.action == "learner_quick_created") == 1
    assert create(school, sam, first_names="Gwen", confirm_duplicates=True).login == "ghopper2"


def test_a_supervisor_may_use_only_their_own_groups(school: Database, sam: Actor) -> None:
    with pytest.raises(PermissionDenied, match="only to your own groups"):
        create(school, sam, tutor_group="9B")
    with pytest.raises(InvalidInput, match="Choose one of your groups"):
        create(school, sam, tutor_group=None)
    assert count(school, Learner) == 3
    assert count(school, AuditEntry, AuditEntry.action == "refused") == 1


def test_an_administrator_may_name_a_new_tutor_group(school: Database, admin: Actor) -> None:
    result = create(school, admin, tutor_group=" 7C ")
    with school.read() as session:
        group = session.scalar(select(Group).where(Group.name == "7C"))
        assert group is not None
        assert session.get(GroupMembership, (result.learner_id, group.id)) is not None


def test_same_name_and_date_of_birth_warns_and_creates_nothing_until_confirmed(
    school: Database, admin: Actor
) -> None:
    details = {"first_names": "ZOE", "surname": "obrien", "date_of_birth": date(2014, 3, 3)}
    warned = create(school, admin, tutor_group="New group", **details)
    assert not warned.created and warned.learner_id is None and warned.password is None
    assert warned.duplicates == (
        "Zoë O'Brien (Year 7) has the same name and date of birth (03/03/2014).",
    )
    assert warned.duplicate_ids == (ZOE,)
    assert count(school, Learner) == 3
    assert count(school, Group) == 3  # the new group waits for the confirmation too
    confirmed = create(school, admin, confirm_duplicates=True, **details)
    assert confirmed.created and confirmed.duplicate_ids == (ZOE,)


def test_a_upn_held_by_another_warns_and_is_not_recorded(school: Database, admin: Actor) -> None:
    warned = create(school, admin, upn="H801200001001")
    assert warned.duplicates == ("Ada Lovelace (Year 9) has the same UPN, H801200001001.",)
    created = create(school, admin, upn="h801200001001", confirm_duplicates=True)
    assert created.warnings == (
        "The UPN H801200001001 was not recorded: Ada Lovelace (Year 9) has it.",
    )
    assert created.learner_id is not None and learner(school, created.learner_id).upn is None


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"first_names": " "}, "The first name is empty."),
        ({"date_of_birth": "31/12/2025"}, "in the future"),
        ({"year_group": "Year 5"}, "not taught at this school"),
        ({"upn": "Z801200001001"}, "check letter"),
    ],
)
def test_bad_details_create_nothing(
    school: Database, sam: Actor, details: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        create(school, sam, **details)
    assert count(school, Learner) == 3


def test_the_check_list_confirm_and_supervisors_refused(
    school: Database, admin: Actor, sam: Actor
) -> None:
    new_id = create(school, sam).learner_id
    with school.read() as session:
        assert [r.id for r in to_check(session, admin)] == [new_id]
        assert to_check(session, admin)[0].needs_check
    for action in (lambda s: to_check(s, sam), lambda s: confirm_checked(s, sam, new_id)):
        with pytest.raises(PermissionDenied), school.begin() as session:
            action(session)
    with school.begin() as session:
        confirm_checked(session, admin, new_id)
    with school.read() as session:
        assert to_check(session, admin) == []
    with pytest.raises(Refused, match="checked already"), school.begin() as session:
        confirm_checked(session, admin, new_id)


def test_merging_keeps_one_learner_with_both_groups(
    school: Database, admin: Actor, sam: Actor
) -> None:
    created = create(school, sam, first_names="Zoe", surname="OBrien", date_of_birth="03/03/2014",
                     confirm_duplicates=True)  # fmt: skip
    new_id = created.learner_id
    assert new_id is not None
    correct(school, admin, new_id, surname="O'Brien")  # a support request to move across
    with school.begin() as session:
        result = merge_learners(session, admin, new_id, ZOE)
    assert result.groups_moved == ("Oak",)
    assert set(result.details_filled) == {"upn", "sims_number", "sex", "ethnicity"}
    kept = learner(school, new_id)
    assert (kept.upn, kept.sims_number) == ("B801200005001", "0002")
    assert not kept.needs_check  # type: ignore[attr-defined]
    assert count(school, Learner, Learner.id == ZOE) == 0
    with school.read() as session:
        groups = set(
            session.scalars(
                select(GroupMembership.group_id).where(GroupMembership.learner_id == new_id)
            )
        )
        assert session.get(LearnerCredential, new_id) is not None  # the kept one's password
        actions = session.execute(
            select(AuditEntry.entity_id, AuditEntry.action).where(
                AuditEntry.action.like("learner_merged%")
            )
        ).all()
    assert groups == {GROUP_7A, OAK}
    assert count(school, SupportRequest, SupportRequest.learner_id == new_id) == 1
    assert (ZOE, "learner_merged_away") in actions and (new_id, "learner_merged") in actions
    with school.begin() as session:
        assert learner_sign_in(session, new_id, created.password or "").signed_in


def test_merges_that_are_refused(school: Database, admin: Actor, sam: Actor) -> None:
    with pytest.raises(InvalidInput, match="with themselves"), school.begin() as session:
        merge_learners(session, admin, ADA, ADA)
    with pytest.raises(Refused, match="different UPNs"), school.begin() as session:
        merge_learners(session, admin, ADA, ZOE)
    with pytest.raises(PermissionDenied), school.begin() as session:
        merge_learners(session, sam, ADA, ZOE)
    assert count(school, Learner) == 3
    with school.begin() as session:
        merge_learners(session, admin, ADA, ZOE, force=True)
    assert learner(school, ADA).upn == "H801200001001"  # the kept learner's own UPN stays
    assert count(school, Learner) == 2
