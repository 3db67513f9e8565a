"""``planit-desktop rollover`` from the command line: exit statuses, kill -9, two at once."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from planit_desktop.cli import main
from planit_desktop.model.db import open_database
from planit_desktop.model.entities import Group
from planit_desktop.model.services.demo.school import create_demo_school
from planit_desktop.model.services.year_end import YearEndChoices
from planit_desktop.model.services.year_end.run import run_year_end
from tests.support.rollover import Rows, copy_database, table_rows
from tests.support.rollover_processes import (
    Place,
    kill_during_apply,
    sleep_within,
    timed_apply,
    two_applies_at_once,
)
from tests.support.sign_in import CommandLineSignIn, staff_actor


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2,000-learner demo school in 2025/26, made once and copied by each test."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    db = open_database(f"sqlite:///{path}")
    with db.begin() as session:
        create_demo_school(session, learners=2000, seed=3, academic_year=2025)
    db.dispose()
    return path


@pytest.fixture
def school_db(template: Path, tmp_path: Path) -> Path:
    return copy_database(template, tmp_path / "school.db")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["rollover", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_preview_apply_undo_report_and_their_exit_statuses(
    school_db: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    cli_signed_in: CommandLineSignIn,
) -> None:
    db = str(school_db)
    status, out, _ = _run(capsys, "--db", db, "--preview", "--json")
    preview = json.loads(out)
    assert status == 0 and preview["from_year"] == "2025/26" and preview["to_year"] == "2026/27"
    for key in (
        "learners_by_year_before",
        "learners_by_year_after",
        "completed",
        "kept_back",
        "left",
        "access_removed",
        "group_renames",
        "problems",
    ):
        assert key in preview
    assert {"from": "Year 10 Blue", "to": "Year 11 Blue"}.items() <= next(
        r for r in preview["group_renames"] if r["from"] == "Year 10 Blue"
    ).items()

    status, _, err = _run(capsys, "--db", db, "--apply", "--keep-back", "Z801200001001")
    assert status == 2 and "Z801200001001" in err

    with sqlite3.connect(school_db) as raw:
        kept, leaving = (
            row[0]
            for row in raw.execute(
                "SELECT upn FROM learner WHERE status = 'on_roll' AND year_group = 8 "
                "ORDER BY id LIMIT 2"
            )
        )
    status, out, _ = _run(
        capsys, "--db", db, "--apply", "--keep-back", kept, "--left", leaving, "--json"
    )
    applied = json.loads(out)
    assert status == 0 and applied["academic_year"] == "2026/27"
    assert [row["upn"] for row in applied["kept_back"]] == [kept]
    assert [row["upn"] for row in applied["left"]] == [leaving]
    assert "before-rollover-2025-26-to-2026-27" in applied["backup"]
    with sqlite3.connect(school_db) as raw:
        actors = {
            r[0] for r in raw.execute("SELECT actor FROM audit_entry WHERE action='rollover'")
        }
    assert actors == {cli_signed_in.login}  # the member of staff signed in, admin1

    status, _, err = _run(capsys, "--db", db, "--apply")
    assert status == 1 and "already done" in err

    status, _, _ = _run(capsys, "--db", db, "--report", str(tmp_path / "out.xlsx"))
    assert status == 0 and (tmp_path / "out.xlsx").exists()

    status, out, _ = _run(capsys, "--db", db, "--undo", "--json")
    assert status == 0 and json.loads(out)["academic_year"] == "2025/26"
    status, _, err = _run(capsys, "--db", db, "--undo")
    assert status == 1 and "no rollover to undo" in err


def test_unusable_input_exits_2(
    school_db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # --keep-back goes with --preview too (the proposals follow it): an unknown UPN is bad.
    status, _, err = _run(capsys, "--db", str(school_db), "--preview", "--keep-back", "X")
    assert status == 2 and "“X”" in err
    status, _, err = _run(capsys, "--db", str(school_db), "--preview", "--allow-early")
    assert status == 2 and "goes with --apply" in err
    status, _, err = _run(capsys, "--db", str(school_db), "--preview", "--keep-renamed")
    assert status == 2 and "go with --undo" in err
    notes = tmp_path / "notes.db"
    notes.write_text("not a database")
    status, _, err = _run(capsys, "--db", str(notes), "--preview")
    assert status == 2 and "not a Plan-it database" in err
    with pytest.raises(SystemExit) as stopped:
        main(["rollover", "--db", str(school_db)])  # no action chosen
    assert stopped.value.code == 2


def _sqlite_state(path: Place) -> Rows:
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return table_rows(Path(path), ignore_volatile=True)


@pytest.mark.slow
def test_kill_9_during_apply_leaves_before_or_after(
    template: Path, tmp_path: Path, cli_signed_in: CommandLineSignIn
) -> None:
    reference = copy_database(template, tmp_path / "reference.db")
    before = _sqlite_state(reference)
    elapsed = timed_apply(reference, env=cli_signed_in.environment())
    after = _sqlite_state(reference)
    assert after != before
    kill_during_apply(
        lambda attempt: copy_database(template, tmp_path / f"killed{attempt}.db"),
        _sqlite_state,
        before=before,
        after=after,
        moment=sleep_within(elapsed),
        attempts=6,
        env=cli_signed_in.environment(),
    )


@pytest.mark.slow
def test_two_concurrent_applies_exactly_one_succeeds(
    school_db: Path, cli_signed_in: CommandLineSignIn
) -> None:
    results = two_applies_at_once(school_db, env=cli_signed_in.environment())
    statuses = sorted(status for status, _ in results)
    assert statuses == [0, 1], results
    loser = next(err for status, err in results if status == 1)
    assert "already done" in loser or "busy" in loser
    with sqlite3.connect(school_db) as raw:
        assert raw.execute("SELECT count(*) FROM year_end_run").fetchone() == (1,)
        assert raw.execute("SELECT academic_year FROM school").fetchone() == (2026,)


def test_undo_puts_back_the_renames_made_with_the_year_end(
    school_db: Path, capsys: pytest.CaptureFixture[str], cli_signed_in: CommandLineSignIn
) -> None:
    """The window's year end renamed a group with the rollover: undoing it from the command
    line puts the name back, as the window's undo does (both go through undo_year_end)."""
    database = open_database(f"sqlite:///{school_db}")
    try:
        with database.read() as session:
            blue = session.scalars(select(Group.id).where(Group.name == "Year 10 Blue")).one()
            admin = staff_actor(session, cli_signed_in.login)
        with database.begin() as session:
            run_year_end(
                session,
                admin,
                YearEndChoices(renames={blue: "Year 11 Blue"}),
                from_year=2025,
                allow_early=True,
            )
    finally:
        database.dispose()
    status, out, _ = _run(capsys, "--db", str(school_db), "--undo", "--json")
    undone = json.loads(out)
    assert status == 0 and undone["academic_year"] == "2025/26"
    assert undone["group_renames_undone"] == [
        {"id": blue, "from": "Year 11 Blue", "to": "Year 10 Blue"}
    ]
    with sqlite3.connect(school_db) as raw:
        assert raw.execute("SELECT name FROM learner_group WHERE id = ?", (blue,)).fetchone() == (
            "Year 10 Blue",
        )
