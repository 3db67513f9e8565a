"""What an installed build shows of itself: ``--smoke-test`` (the window up to its sign-in
dialog, then quit), the program's icon, and the name and version in the About box."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, qVersion

from planit_desktop import __version__, cli
from planit_desktop.model.db import Database
from planit_desktop.ui import app as app_module
from planit_desktop.ui.help.guide import about_text


@pytest.fixture
def quiet_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app_module, "_log_to_file", lambda: None)
    monkeypatch.delenv(app_module.EXIT_WHEN_SHOWN, raising=False)


def test_the_smoke_test_passes_once_the_sign_in_dialog_has_shown(
    qapp: Any, quiet_start: None, demo_database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    where = str(demo_database.path or demo_database.url)
    assert app_module.run_gui(where, smoke_test=True) == 0
    out, err = capsys.readouterr()
    school = "Riverside Academy (demo)"
    assert out.strip().splitlines()[-1] == (
        f'planit-desktop: smoke test passed: the window opened and "Sign in to {school}" was shown'
    )
    assert "failed" not in err


def test_the_smoke_test_fails_at_once_when_the_database_cannot_be_opened(
    qapp: Any, quiet_start: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("These are my notes, not a database.\n")
    # The program's own question about the file is shown, and ends the test with its words.
    assert app_module.run_gui(str(notes), smoke_test=True) == 1
    out, err = capsys.readouterr()
    assert "smoke test passed" not in out
    last_line = err.strip().splitlines()[-1]
    expected = f"planit-desktop: smoke test failed: no sign-in dialog: {notes} is not a Plan-it"
    assert last_line.startswith(f"{expected} database")
    assert notes.read_text() == "These are my notes, not a database.\n"


def test_the_smoke_test_fails_for_a_database_with_no_school_yet(
    qapp: Any, quiet_start: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert app_module.run_gui(str(tmp_path / "new.db"), smoke_test=True) == 1
    err = capsys.readouterr().err
    assert "smoke test failed: no sign-in dialog: The database at" in err
    assert "has no school in it yet" in err


def test_a_dialog_that_draws_nothing_fails_the_smoke_test(
    capsys: pytest.CaptureFixture[str], qapp: Any
) -> None:
    watch = app_module.SignInWatch()
    watch.seen = "Sign in to Nowhere"
    assert app_module._smoke_test_result(watch) == 1
    assert '"Sign in to Nowhere" drew nothing' in capsys.readouterr().err


def test_the_command_line_opens_the_smoke_test_with_db_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[str | None, dict[str, Any]]] = []

    def run_gui(db_choice: str | None, **options: Any) -> int:
        calls.append((db_choice, options))
        return 0

    monkeypatch.setattr(app_module, "run_gui", run_gui)
    assert cli.main(["--smoke-test", "--db", "school.db"]) == 0
    assert cli.main(["--db=other.db", "--smoke-test"]) == 0
    assert cli.main(["--smoke-test"]) == 0
    assert calls == [
        ("school.db", {"smoke_test": True}),
        ("other.db", {"smoke_test": True}),
        (None, {"smoke_test": True}),
    ]
    assert cli.main(["--smoke-test", "summary"]) == 2
    assert capsys.readouterr().err.strip() == (
        "planit-desktop: --smoke-test takes no other option than --db"
    )
    assert len(calls) == 3
    # Not an option anyone is offered.
    assert "--smoke-test" not in cli.build_parser().format_help()


def test_the_program_has_its_icon_at_every_size(qapp: Any) -> None:
    icon = app_module.application_icon()
    assert not icon.isNull()
    sizes = {size.width() for size in icon.availableSizes()}
    assert {16, 32, 48, 256} <= sizes
    assert not icon.pixmap(QSize(32, 32)).toImage().isNull()


def test_about_names_the_program_its_version_and_what_it_runs_on() -> None:
    text = about_text()
    assert f"<h3>Plan-it Desktop {__version__}</h3>" in text
    assert f"Qt {qVersion()}" in text
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}." in text
