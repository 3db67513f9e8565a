"""The command line as real processes: ``demo-db`` and ``summary`` end in one line and exit
status 2 on bad input, and a changing command signs in from the environment alone (the same
commands in this process: tests/model/test_cli_basics.py and test_cli_sign_in.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from planit_desktop.model.db import Database
from planit_desktop.model.entities import YearEndRun
from tests.support.command_line import one_line, run_program
from tests.support.sign_in import DEMO_ADMINISTRATOR, command_line_sign_in


@pytest.mark.slow
def test_demo_db_and_summary(tmp_path: Path) -> None:
    made = run_program("demo-db", "s.db", "--learners", "1000", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "demo-supervisor-pass" in made.stdout
    summary = run_program("summary", "--db", "s.db", "--json", cwd=tmp_path)
    assert summary.returncode == 0, summary.stderr
    assert sum(json.loads(summary.stdout)["learners_by_year"].values()) == 1000

    again = run_program("demo-db", "s.db", cwd=tmp_path)
    assert again.returncode == 2
    assert "already holds" in one_line(again.stderr)
    (tmp_path / "junk.db").write_text("not a database")
    junk = run_program("summary", "--db", "junk.db", cwd=tmp_path)
    assert junk.returncode == 2
    assert "not a Plan-it database" in one_line(junk.stderr)
    zero = run_program("demo-db", "z.db", "--learners", "0", cwd=tmp_path)
    assert zero.returncode == 2
    one_line(zero.stderr)
    assert not (tmp_path / "z.db").exists()


@pytest.mark.slow
def test_the_environment_signs_in(demo_database: Database, tmp_path: Path) -> None:
    signed_in = command_line_sign_in(tmp_path / "sign-in")
    command = ["rollover", "--db", demo_database.url, "--apply", "--allow-early"]
    unsigned = run_program(*command, cwd=tmp_path)
    assert unsigned.returncode == 2 and "--login" in one_line(unsigned.stderr)
    applied = run_program(*command, "--json", cwd=tmp_path, env=signed_in.environment())
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["academic_year"] == "2026/27"
    with demo_database.read() as session:
        assert session.scalars(select(YearEndRun.run_by)).one() == DEMO_ADMINISTRATOR[0]
