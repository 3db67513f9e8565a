"""The command line run from the tests: in this process (``main`` with captured output), or
as the real program in a new interpreter; and the one line every refusal prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planit_desktop.cli import main
from tests.support import warm_start


def run_in_process(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``planit-desktop ARGV`` in this process: its exit status, standard output and error."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_program(
    *argv: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m planit_desktop ARGV`` as a process of its own, with no database named by
    the environment unless ``env`` names one; standard input is closed (no terminal)."""
    environment = {**(os.environ if env is None else env), "PYTHONIOENCODING": "utf-8"}
    if env is None:
        environment.pop("PLANIT_DATABASE_URL", None)
    return warm_start.run(
        [sys.executable, "-m", "planit_desktop", *argv],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(err: str) -> str:
    """The one line a refusal prints, without the program's prefix; fails on anything else."""
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("planit-desktop: "), err
    return lines[0].removeprefix("planit-desktop: ")
