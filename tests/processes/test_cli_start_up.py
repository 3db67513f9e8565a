"""``planit-desktop --help`` and ``--version`` start quickly: they load neither the database
layer (SQLAlchemy, Alembic) nor Qt. Each is run in a new interpreter, which then lists what
it had imported, since this process has long loaded both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planit_desktop import __version__

#: Top-level packages that --help and --version must not import.
HEAVY = frozenset({"sqlalchemy", "alembic", "PySide6", "shiboken6", "psycopg", "openpyxl"})

# Runs the program's own entry point, then writes the names of the modules it loaded.
_PROBE = """
import json, sys
from planit_desktop.cli import main
listing, argv = sys.argv[1], sys.argv[2:]
try:
    status = main(argv)
except SystemExit as stop:
    status = stop.code
with open(listing, "w", encoding="utf-8") as out:
    json.dump({"status": status, "modules": sorted(sys.modules)}, out)
"""

COMMANDS = ("audit", "demo-db", "export", "import-learners", "rollover", "summary")


def _start(tmp_path: Path, *argv: str) -> tuple[int, set[str], str]:
    listing = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANIT_", "QT_"))}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(listing), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert listing.exists(), done.stderr
    found = json.loads(listing.read_text(encoding="utf-8"))
    return found["status"], {name.split(".")[0] for name in found["modules"]}, done.stdout


@pytest.mark.parametrize("argv", [["--help"], ["--version"]], ids=["help", "version"])
def test_help_and_version_load_no_database_layer_and_no_qt(tmp_path: Path, argv: list[str]) -> None:
    status, loaded, shown = _start(tmp_path, *argv)
    assert status in (0, None)
    assert loaded & HEAVY == set()
    assert "planit_desktop" in loaded  # the probe did run the program
    if argv == ["--version"]:
        assert shown.strip() == f"planit-desktop {__version__}"
    else:
        assert "usage: planit-desktop" in shown
        assert all(command in shown for command in COMMANDS)


def test_a_commands_own_help_loads_no_database_layer_either(tmp_path: Path) -> None:
    status, loaded, shown = _start(tmp_path, "rollover", "--help")
    assert status in (0, None)
    assert loaded & HEAVY == set()
    assert "usage: planit-desktop rollover" in shown
