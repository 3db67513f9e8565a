"""``planit-desktop import-learners``: exit statuses, JSON, dry runs, decisions, outputs."""

from __future__ import annotations

import contextlib
import json
import signal
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from planit_desktop.cli import main
from planit_desktop.commands.import_learners import ctrl_c_waits_once_committing as ctrl_c_guard
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Learner
from tests.support.import_files import learner, write_xlsx
from tests.support.sign_in import CommandLineSignIn


@pytest.fixture(autouse=True)
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The notes of unfinished password files go in the test's folder, not the user's."""
    from planit_desktop.model.services.credentials import delivery as password_delivery

    folder = tmp_path / "notes"
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: folder)
    return folder


def learners(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Learner)) or 0


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    status = main(["import-learners", *args, "--json"])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if out.strip().startswith("{") else {}), err


def test_dry_run_and_import(
    demo_database: Database,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    path = write_xlsx(tmp_path / "new.xlsx", [learner(1), learner(2)])
    before = learners(demo_database)
    status, report, _ = run(capsys, str(path), "--db", str(db_path), "--dry-run")
    assert status == 0 and report["rows"] == 2 and report["valid"] == 2
    assert report["imported"] == 0 and report["errors"] == [] and "duplicates" in report
    assert learners(demo_database) == before

    status, _, err = run(capsys, str(path), "--db", str(db_path))
    assert status == 2 and "--passwords-out" in err

    out = tmp_path / "passwords.xlsx"
    slips = tmp_path / "slips.pdf"
    status, report, _ = run(
        capsys,
        str(path),
        "--db",
        str(db_path),
        "--passwords-out",
        str(out),
        "--slips-out",
        str(slips),
    )
    assert status == 0 and report["imported"] == 2
    assert out.exists() and slips.exists()
    assert learners(demo_database) == before + 2
    with demo_database.read() as session:
        importers = set(
            session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "learner created"))
        )
    assert importers == {cli_signed_in.login}  # audited as the member of staff signed in


def test_errors_exit_one_and_skip_invalid(
    demo_database: Database,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", [learner(1), learner(2, UPN="A801200005001")])
    out = tmp_path / "p.xlsx"
    before = learners(demo_database)
    status, report, _ = run(capsys, str(path), "--db", str(db_path), "--passwords-out", str(out))
    assert status == 1 and report["valid"] == 1 and report["imported"] == 0
    assert report["errors"][0]["row"] == 3 and report["errors"][0]["column"] == "UPN (column H)"
    assert learners(demo_database) == before and not out.exists()
    status, report, _ = run(
        capsys, str(path), "--db", str(db_path), "--passwords-out", str(out), "--skip-invalid"
    )
    assert status == 0 and report["imported"] == 1
    assert learners(demo_database) == before + 1


def test_different_person_decision(
    demo_database: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twin = learner(1, UPN="", **{"SIMS Number": "Z9"})
    path = write_xlsx(tmp_path / "twins.xlsx", [learner(1), twin])
    status, report, _ = run(capsys, str(path), "--db", str(db_path), "--dry-run")
    assert status == 1 and report["duplicates"][0]["row"] == 3
    assert report["duplicates"][0]["options"] == ["create_new", "skip"]
    status, report, _ = run(
        capsys, str(path), "--db", str(db_path), "--dry-run", "--different-person", "3"
    )
    assert status == 0 and report["valid"] == 2


def test_unreadable_file_and_bad_arguments(
    demo_database: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "x.xlsx"
    text.write_text("hello")
    status, _, err = run(capsys, str(text), "--db", str(db_path), "--dry-run")
    assert status == 2 and "renamed" in err
    status, _, err = run(capsys, str(text), "--db", str(db_path), "--dry-run", "--reinstate", "x")
    assert status == 2 and "row numbers" in err
    status, _, err = run(
        capsys, str(text), "--db", str(db_path), "--passwords-out", str(tmp_path / "p.csv")
    )
    assert status == 2 and ".xlsx" in err


class _Delivery:
    """Where an import's passwords stand, as the Ctrl-C guard reads it."""

    def __init__(self) -> None:
        self.committed = False
        self.state = SimpleNamespace(value="staged")
        self.before_commit: Callable[[], None] | None = None


def _press_lost() -> None:
    """A Ctrl-C that came while Python ran a callback of its own, which drops what it raises
    (as importlib's weak-reference callback did, seen in CI)."""
    handler = signal.getsignal(signal.SIGINT)
    assert callable(handler)
    with contextlib.suppress(KeyboardInterrupt):
        handler(signal.SIGINT, None)


def test_a_ctrl_c_whose_raise_was_lost_still_stops_the_import_before_its_commit() -> None:
    delivery = _Delivery()
    with pytest.raises(KeyboardInterrupt), ctrl_c_guard(delivery):
        _press_lost()
        assert delivery.before_commit is not None
        delivery.before_commit()  # what the delivery calls just before the COMMIT
        pytest.fail("the COMMIT went ahead")  # pragma: no cover
    assert delivery.before_commit is None  # let go with the guard


def test_a_ctrl_c_during_the_commit_waits_for_the_files_then_stops() -> None:
    delivery = _Delivery()
    reached_the_end = False
    with pytest.raises(KeyboardInterrupt), ctrl_c_guard(delivery):
        delivery.state.value = "committing"
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        handler(signal.SIGINT, None)  # kept for after the files, not raised here
        delivery.committed = True
        reached_the_end = True
    assert reached_the_end
