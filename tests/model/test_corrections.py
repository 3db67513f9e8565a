"""Correcting a learner's details: checks as typed, one audit entry per field, stale saves refused.

The ``school`` fixture and the helpers here are shared by the other learner-service tests.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    GroupMembership,
    SupportRequest,
)
from planit_desktop.model.errors import InvalidInput, NotFound, PermissionDenied, StaleRecord
from planit_desktop.model.services.learners.corrections import check_correction, correct_learner
from planit_desktop.model.services.learners.details import learner_details
from planit_desktop.model.services.learners.history import learner_history
from tests.support.corrections import (
    ADA,
    GROUP_7A,
    GROUP_9B,
    OAK,
    TODAY,
    ZOE,
    correct,
    count,
    learner,
    version,
)


def test_a_correction_changes_each_field_and_audits_each_once(
    school: Database, admin: Actor
) -> None:
    before = version(school, ADA)
    with school.begin() as session:
        result = correct_learner(
            session, admin, ADA,
            {"surname": "  King ", "date_of_birth": "10/12/2011", "groups": {GROUP_9B, OAK},
             "first_names": "Ada", "sex": "female", "ethnicity": "WIRI"},
            expected_version=before, today=TODAY,
        )  # fmt: skip
    assert result.changed == ("surname", "date_of_birth", "ethnicity", "groups")
    assert result.version > before
    assert result.support_requests == 2  # surname and date of birth; not groups or ethnicity
    saved = learner(school, ADA)
    assert (saved.surname, saved.date_of_birth, saved.ethnicity) == (
        "King",
        date(2011, 12, 10),
        "WIRI",
    )
    with school.read() as session:
        entries = session.execute(
            select(AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value)
            .where(AuditEntry.action == "learner_corrected", AuditEntry.entity_id == ADA)
            .order_by(AuditEntry.id)
        ).all()
        groups = set(
            session.scalars(
                select(GroupMembership.group_id).where(GroupMembership.learner_id == ADA)
            )
        )
    assert entries == [
        ("surname", "Lovelace", "King"),
        ("date_of_birth", "2012-01-15", "2011-12-10"),
        ("ethnicity", "WBRI", "WIRI"),
        ("groups", "9B", "9B, Oak"),
    ]
    assert groups == {GROUP_9B, OAK}


def test_a_year_group_that_does_not_fit_is_saved_with_a_warning(
    school: Database, admin: Actor
) -> None:
    result = correct(school, admin, ADA, year_group="Year 8")
    assert learner(school, ADA).year_group == 8
    assert result.warnings == (
        "Born 15/01/2012, this learner would usually be in Year 9, not Year 8.",
    )  # type: ignore[attr-defined]


def test_groups_alone_still_bump_the_version(school: Database, admin: Actor) -> None:
    before = version(school, ZOE)
    correct(school, admin, ZOE, groups=[GROUP_7A])
    assert version(school, ZOE) == before + 1
    assert count(school, GroupMembership, GroupMembership.learner_id == ZOE) == 1


def test_unchanged_values_change_nothing(school: Database, admin: Actor) -> None:
    before = version(school, ADA)
    result = correct(school, admin, ADA, surname="Lovelace", date_of_birth=date(2012, 1, 15))
    assert result.changed == ()  # type: ignore[attr-defined]
    assert version(school, ADA) == before
    assert count(school, AuditEntry, AuditEntry.action == "learner_corrected") == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"upn": "Z801200001001"}, "its check letter should be H, not Z"),
        (
            {"upn": "b8012 0000 5001"},
            "The UPN B801200005001 is already used by Zoë O'Brien (Year 7).",
        ),
        (
            {"sims_number": " 0003 "},
            "The SIMS number 0003 is already used by Tom Smith (Year 8, left).",
        ),
        ({"date_of_birth": "04/11/2025"}, "The date of birth 04/11/2025 is in the future."),
        ({"first_names": "   "}, "The first name is empty."),
        ({"surname": ""}, "The surname is empty."),
        ({"year_group": "Year 12"}, "Year 12 is not taught at this school"),
        ({"sex": "X"}, "is not a gender"),
        ({"groups": {99}}, "One of the groups chosen no longer exists."),
        ({"nickname": "Addy"}, "is not a learner's detail that can be corrected here"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(
    school: Database, admin: Actor, changes: dict[str, object], message: str
) -> None:
    before = learner(school, ADA)
    with pytest.raises(InvalidInput) as refused, school.begin() as session:
        correct_learner(
            session, admin, ADA, {"surname": "Byron", **changes},
            expected_version=before.version, today=TODAY,
        )  # fmt: skip
    assert message in refused.value.message
    assert refused.value.message.endswith("Nothing was changed.")
    after = learner(school, ADA)
    assert (after.surname, after.version, after.upn) == ("Lovelace", before.version, before.upn)
    assert count(school, SupportRequest) == 0
    assert count(school, AuditEntry, AuditEntry.action == "learner_corrected") == 0


def test_a_stale_version_is_refused_with_the_current_values(school: Database, admin: Actor) -> None:
    opened = version(school, ADA)
    correct(school, admin, ADA, surname="Byron")  # another coordinator saves first
    with pytest.raises(StaleRecord) as stale, school.begin() as session:
        correct_learner(session, admin, ADA, {"first_names": "Augusta"}, expected_version=opened)
    assert "changed by someone else" in stale.value.message
    assert stale.value.current["surname"] == "Byron"
    assert stale.value.current["version"] == opened + 1
    assert learner(school, ADA).first_names == "Ada"


def test_a_supervisor_may_not_correct_and_the_refusal_is_audited(
    school: Database, sam: Actor
) -> None:
    with pytest.raises(PermissionDenied, match="Only administrators can correct"):
        correct(school, sam, ZOE, surname="Byrne")
    assert learner(school, ZOE).surname == "O'Brien"
    assert count(school, AuditEntry, AuditEntry.action == "refused", AuditEntry.actor == "sam") == 1


def test_check_correction_reports_per_field_without_writing(school: Database) -> None:
    with school.read() as session:
        problems = check_correction(
            session, ADA,
            {"upn": "B801200005001", "year_group": "8", "surname": "", "sex": "U"},
            today=TODAY,
        )  # fmt: skip
    found = {(p.field, p.severity): p.message for p in problems}
    assert "Zoë O'Brien (Year 7)" in found["upn", "error"]
    assert found["surname", "error"] == "The surname is empty."
    assert "would usually be in Year 9" in found["year_group", "warning"]
    assert "not known" in found["sex", "warning"]
    assert learner(school, ADA).year_group == 9


def test_learner_details_and_visibility(school: Database, admin: Actor, sam: Actor) -> None:
    with school.read() as session:
        zoe = learner_details(session, sam, ZOE)
        assert zoe.groups == ("7A", "Oak") and zoe.group_ids == {GROUP_7A, OAK}
        assert learner_details(session, admin, ADA).as_dict()["upn"] == "H801200001001"
        with pytest.raises(NotFound):
            learner_details(session, sam, ADA)  # not in Sam's groups


def test_history_lists_every_entry_and_supervisors_only_their_learners(
    school: Database, admin: Actor, sam: Actor
) -> None:
    correct(school, admin, ZOE, surname="Byrne")
    correct(school, admin, ZOE, surname="Burns")
    with school.read() as session:
        history = learner_history(session, sam, ZOE)
    assert [(h.action, h.field, h.old_value, h.new_value) for h in history] == [
        ("learner_corrected", "surname", "O'Brien", "Byrne"),
        ("learner_corrected", "surname", "Byrne", "Burns"),
    ]
    assert history[0].actor == admin.login
    with pytest.raises(PermissionDenied), school.begin() as session:
        learner_history(session, sam, ADA)
    assert count(school, AuditEntry, AuditEntry.action == "refused") == 1
    with school.read() as session, pytest.raises(NotFound):
        learner_history(session, admin, 999)
