"""Fixtures of the model tests (services, validation and the command line in this process,
without widgets): the small school of the learner-service tests, and its supervisor Sam."""

from __future__ import annotations

from datetime import date

import pytest

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    Learner,
    LearnerStatus,
    School,
    Staff,
    StaffRole,
    SupervisorAccess,
)
from tests.support.corrections import ADA, GROUP_7A, GROUP_9B, OAK, TOM, ZOE
from tests.support.postgres import advance_id_sequences


@pytest.fixture
def school(database: Database) -> Database:
    """Ada (Year 9, 9B), Zoë (Year 7, 7A and Oak), Tom (Year 8, left, 7A); Sam supervises 7A."""
    with database.begin() as session:
        # With its DfE number, which the support requests workbook needs.
        session.add(
            School(
                id=1, name="Test School", academic_year=2025, la_code="801",
                establishment_number="4001",
            )
        )  # fmt: skip
        people = [
            (ADA, "Ada", "Lovelace", date(2012, 1, 15), 9, "H801200001001", "0001"),
            (ZOE, "Zoë", "O'Brien", date(2014, 3, 3), 7, "B801200005001", "0002"),
            (TOM, "Tom", "Smith", date(2013, 2, 2), 8, None, "0003"),
        ]
        for lid, first, surname, born, year, upn, sims in people:
            session.add(
                Learner(
                    id=lid, first_names=first, surname=surname, date_of_birth=born,
                    year_group=year, upn=upn, sims_number=sims, login=f"learner{lid}",
                    sex="F" if lid != TOM else "M", ethnicity="WBRI",
                )
            )  # fmt: skip
        session.add_all([Group(id=GROUP_7A, name="7A"), Group(id=GROUP_9B, name="9B")])
        session.add(Group(id=OAK, name="Oak"))
        session.flush()
        tom = session.get(Learner, TOM)
        assert tom is not None
        tom.status, tom.left_on, tom.left_reason = LearnerStatus.LEFT, date(2024, 7, 20), "moved"
        for lid, gid in ((ADA, GROUP_9B), (ZOE, GROUP_7A), (ZOE, OAK), (TOM, GROUP_7A)):
            session.add(GroupMembership(learner_id=lid, group_id=gid))
        session.add(Staff(id=1, name="Sam Super", login="sam", role=StaffRole.SUPERVISOR))
        session.flush()
        session.add(SupervisorAccess(staff_id=1, group_id=GROUP_7A, academic_year=2025))
        advance_id_sequences(session)  # ids were chosen above
    return database


@pytest.fixture
def sam() -> Actor:
    """A supervisor of 7A (Zoë and Tom), with a staff record."""
    return Actor("sam", "Sam Super", StaffRole.SUPERVISOR, 1)
