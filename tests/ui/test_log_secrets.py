"""The log never holds a secret: a database URL's password is hidden wherever an address is
logged, shown or printed; the window's log file is private to its owner."""

from __future__ import annotations

import logging
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planit_desktop import config
from planit_desktop.cli import main
from planit_desktop.config import hide_password
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import open_database
from planit_desktop.model.errors import DatabaseUnavailable
from planit_desktop.ui import app as app_module
from planit_desktop.ui.school import opening as startup

SECRET = "S3cret-Pa55@word"
#: Nothing listens on port 1: the server "cannot be reached", at once.
UNREACHABLE = f"postgresql+psycopg://planit_app:{SECRET}@127.0.0.1:1/planit?sslmode=disable"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (UNREACHABLE, "postgresql+psycopg://planit_app:***@127.0.0.1:1/planit?sslmode=disable"),
        ("postgresql://u:p/w@db.example/planit", "postgresql://u:***@db.example/planit"),
        ("postgresql://:only@db/planit", "postgresql://:***@db/planit"),
        ("postgresql://u@db/planit?password=x&sslmode=require",
         "postgresql://u@db/planit?password=***&sslmode=require"),
        ("postgresql://u@db/planit?sslmode=require&PassWord=x",
         "postgresql://u@db/planit?sslmode=require&PassWord=***"),
        ("Could not open postgresql://a:b@c/d: no", "Could not open postgresql://a:***@c/d: no"),
        ("postgresql://db.example:5432/planit", "postgresql://db.example:5432/planit"),
        ("sqlite:////home/ann/copy@home.db", "sqlite:////home/ann/copy@home.db"),
        ("/home/ann/school.db", "/home/ann/school.db"),
    ],
)  # fmt: skip
def test_passwords_in_urls_are_hidden(url: str, shown: str) -> None:
    assert hide_password(url) == shown


@pytest.fixture
def window_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The window's log handlers, writing to a data folder of the test's own."""
    monkeypatch.setattr(config, "default_data_dir", lambda: tmp_path / "data")
    root = logging.getLogger()
    handlers = app_module.log_handlers()
    level = root.level
    root.setLevel(logging.INFO)
    for handler in handlers:
        root.addHandler(handler)
    yield tmp_path / "data" / app_module.LOG_FILE
    for handler in handlers:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def test_an_unreachable_server_leaves_its_password_out_of_log_and_message(
    qapp: Any, window_log: Path, monkeypatch: pytest.MonkeyPatch, admin: Actor
) -> None:
    asked: list[str] = []

    def ask(_parent: Any, text: str, options: Any, **_kw: Any) -> int:
        asked.append(text)
        return 2  # Quit

    monkeypatch.setattr(startup, "ask_choice", ask)
    assert startup.open_with_recovery(None, UNREACHABLE, admin) is None
    assert asked and "cannot be reached" in asked[0]
    assert "S3cret" not in asked[0] and "Pa55" not in asked[0] and "@word" not in asked[0]
    try:  # whatever else logs an error holding the address, a traceback included
        raise RuntimeError(f"while opening {UNREACHABLE}")
    except RuntimeError:
        logging.getLogger("planit_desktop.test").exception("Failed with %s", UNREACHABLE)
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = window_log.read_text(encoding="utf-8")
    assert "Could not open postgresql+psycopg://planit_app:***@127.0.0.1:1/planit" in logged
    assert "RuntimeError: while opening postgresql+psycopg://planit_app:***@" in logged
    assert "S3cret" not in logged and "Pa55" not in logged and "@word" not in logged
    if sys.platform != "win32":
        assert stat.S_IMODE(window_log.stat().st_mode) == 0o600


def test_an_existing_log_file_is_made_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform == "win32":
        pytest.skip("Windows keeps files in the user's profile private itself")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / app_module.LOG_FILE).write_text("from an older version\n")
    (folder / app_module.LOG_FILE).chmod(0o644)
    monkeypatch.setattr(config, "default_data_dir", lambda: folder)
    for handler in app_module.log_handlers():
        handler.close()
    assert stat.S_IMODE((folder / app_module.LOG_FILE).stat().st_mode) == 0o600


def test_the_command_line_and_errors_never_show_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["summary", "--db", UNREACHABLE]) == 2
    err = capsys.readouterr().err
    assert "cannot be reached" in err and "planit_app:***@127.0.0.1:1/planit" in err
    assert "S3cret" not in err and "Pa55" not in err and "@word" not in err
    with pytest.raises(DatabaseUnavailable) as refused:
        open_database(f"postgresql+psycopg://u:{SECRET}@[bad/planit")
    assert SECRET not in refused.value.message


def test_an_open_database_does_not_show_its_password(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(database_url)
    try:
        monkeypatch.setattr(database, "url", database_url.replace("postgres@", f"u:{SECRET}@"))
        assert SECRET not in repr(database) and SECRET not in database.location
    finally:
        database.dispose()
