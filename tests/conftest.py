"""Shared fixtures: a fresh school database per test, and the people who act on it."""

from __future__ import annotations

import os

# Before any QApplication exists: GUI tests draw offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import StaffRole


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
