"""A copy of the whole database in a Plan-it file ("Back up now" on a server), on both
databases: every row of every table, and nothing left behind when it cannot be written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from planit_desktop.model.copies import copy_to_file
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import Base
from planit_desktop.model.errors import Refused


def _counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def test_the_copy_holds_every_row_of_every_table(demo_database: Database, tmp_path: Path) -> None:
    steps: list[str] = []
    folder = tmp_path / "copies"
    folder.mkdir()
    target = copy_to_file(demo_database, folder / "copy.db", steps.append)
    copy = open_database("sqlite:///" + str(target))
    try:
        assert _counts(copy) == _counts(demo_database)
        assert _counts(copy)["learner"] > 100
    finally:
        copy.dispose()
    assert "Copying learner…" in steps
    assert sorted(p.name for p in folder.iterdir()) == ["copy.db"]  # no temporary file left


def test_a_copy_that_cannot_be_written_leaves_nothing(
    demo_database: Database, tmp_path: Path
) -> None:
    target = tmp_path / "no such folder" / "copy.db"
    with pytest.raises(Refused, match="could not be written"):
        copy_to_file(demo_database, target)
    assert not target.parent.exists()
