"""Shared fixtures: a fresh school database per test, and the people who act on it."""

from __future__ import annotations

import os

# Before any QApplication exists: GUI tests draw offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import StaffRole

if TYPE_CHECKING:
    from planit_desktop.model.services.demo import DemoAccount, DemoSchool


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "school.db"


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    """An empty, migrated school database of its own for each test."""
    db = open_database(f"sqlite:///{db_path}")
    yield db
    db.dispose()


@pytest.fixture
def admin() -> Actor:
    """An administrator acting from the command line (no staff record)."""
    return Actor(login="os:test-admin", name="Test Admin", role=StaffRole.ADMINISTRATOR)


@pytest.fixture
def supervisor_actor() -> Actor:
    """Someone acting as a supervisor (no staff record): refused every administrator task."""
    return Actor(login="test-supervisor", name="Test Supervisor", role=StaffRole.SUPERVISOR)


@pytest.fixture
def demo_school(database: Database) -> DemoSchool:
    """The empty ``database`` filled with a small demo school (200 learners, seed 7, 2025/26).

    Staff sign in with the passwords in :mod:`planit_desktop.model.services.demo`
    (``admin1`` / ``demo-admin-pass``, ``supervisor1`` / ``demo-supervisor-pass``, …).
    """
    from planit_desktop.model.services.demo import create_demo_school

    with database.begin() as session:
        return create_demo_school(session, learners=200, seed=7, academic_year=2025)


@pytest.fixture
def demo_database(database: Database, demo_school: DemoSchool) -> Database:
    """The ``database`` fixture holding the small demo school of :func:`demo_school`."""
    return database


@pytest.fixture
def demo_accounts(demo_school: DemoSchool) -> tuple[DemoAccount, ...]:
    """The demo school's staff accounts, with their logins and known passwords."""
    return demo_school.staff
