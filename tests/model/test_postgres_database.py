"""PostgreSQL in its own right: what the SQLite-only tests check of a file (foreign keys, the
backup before a rollover), checked here on the server; ids after the demo school; the
test fixtures themselves (a database of its own per test, skipped or required)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from planit_desktop.model.db import Database, backups_folder, open_database
from planit_desktop.model.entities import Group, Learner, Staff, StaffRole
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.demo.school import create_demo_school
from planit_desktop.model.services.groups.editing import create_group
from planit_desktop.model.services.year_end import backup_for
from tests.support.postgres import PostgresServer, advance_id_sequences
from tests.support.sign_in import DEMO_ADMINISTRATOR, staff_actor


@pytest.fixture
def server_database(postgres_server: PostgresServer, postgres_template: str) -> Iterator[Database]:
    """A fresh PostgreSQL database of its own (these tests are about the server alone)."""
    name = postgres_server.create_database(template=postgres_template)
    database = open_database(postgres_server.url_for(name))
    yield database
    database.dispose()
    postgres_server.drop_database(name)


def test_foreign_keys_are_enforced_by_the_server(server_database: Database) -> None:
    with pytest.raises(IntegrityError), server_database.begin() as session:
        session.execute(text("INSERT INTO group_membership (learner_id, group_id) VALUES (99, 99)"))


def test_no_backup_file_the_servers_backups_cover_it(server_database: Database) -> None:
    assert server_database.path is None
    assert backup_for(server_database)("before-rollover-2025-26-to-2026-27") is None
    with pytest.raises(Refused, match="server's own backup"):
        backups_folder(server_database)


def test_rows_added_after_the_demo_school_get_new_ids(server_database: Database) -> None:
    with server_database.begin() as session:
        create_demo_school(session, learners=30, seed=2, academic_year=2025)
    admin = staff_actor(server_database, DEMO_ADMINISTRATOR[0])
    with server_database.begin() as session:
        create_group(session, admin, "Brand new group")
        session.add(Staff(name="New Admin", login="newadmin", role=StaffRole.ADMINISTRATOR))
        session.add(
            Learner(
                first_names="New",
                surname="Learner",
                date_of_birth=date(2013, 1, 1),
                year_group=7,
                login="new-learner",
            )
        )
    with server_database.read() as session:
        assert session.scalar(select(Group.id).where(Group.name == "Brand new group"))


def test_sequences_follow_ids_chosen_by_hand(server_database: Database) -> None:
    with server_database.begin() as session:
        session.add(Group(id=40, name="Chosen"))
        advance_id_sequences(session)
        session.add(Group(name="Next"))
        session.flush()
        assert session.scalar(select(Group.id).where(Group.name == "Next")) == 41


def test_each_test_has_a_database_of_its_own(database: Database, backend: str) -> None:
    with database.begin() as session:
        session.add(Group(name="Only here"))
    with database.read() as session:
        assert session.scalars(select(Group.name)).all() == ["Only here"]
    assert database.engine.dialect.name == backend
