"""The tests' warm starter starts children as a fresh interpreter would (tests/support)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import warm_start

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the warm starter forks")

_REPORT = (
    "import os, sys; print(os.getcwd(), os.environ.get('WHO'), sys.argv[1:], "
    "sys.stdout.encoding, sys.path[0] == ''); sys.exit(7)"
)


@pytest.mark.parametrize("start", [warm_start.run, subprocess.run])
def test_a_child_gets_its_folder_environment_arguments_and_status(
    start: object, tmp_path: Path
) -> None:
    env = {**os.environ, "WHO": "child", "PYTHONIOENCODING": "utf-8"}
    code = _REPORT
    done = start(  # type: ignore[operator]
        [sys.executable, "-c", code, "a", "b"], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 7, done.stderr
    assert done.stdout.split() == [str(tmp_path), "child", "['a',", "'b']", "utf-8", "True"]


def test_a_warm_child_is_a_process_of_its_own_that_signals_end() -> None:
    child = warm_start.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "up\n"
    assert child.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(timeout=0.05)
    child.send_signal(signal.SIGINT)  # Ctrl-C: KeyboardInterrupt, then death by SIGINT
    assert child.wait(timeout=60) == -signal.SIGINT
    assert "KeyboardInterrupt" in child.stderr.read()  # type: ignore[union-attr]
    killed = warm_start.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    killed.kill()
    assert killed.wait(timeout=60) == -signal.SIGKILL


def test_an_uncaught_error_and_a_closed_reader_end_as_in_a_fresh_interpreter() -> None:
    failed = warm_start.run(
        [sys.executable, "-c", "raise ValueError('no')"], capture_output=True, text=True
    )
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1] == "ValueError: no"
    assert "warm_start" not in failed.stderr  # the traceback starts at the child's code
    code = "import sys; sys.stdout.write('x' * 100); sys.stdout.flush()"
    for start in (warm_start.run, subprocess.run):
        reading, writing = os.pipe()
        os.close(reading)
        try:
            ended = start([sys.executable, "-c", code], stdout=writing, stderr=subprocess.PIPE)
        finally:
            os.close(writing)
        assert ended.returncode == 1 and b"BrokenPipeError" in ended.stderr


def test_a_start_it_cannot_make_as_fresh_is_made_the_ordinary_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changed = {**os.environ, "PYTHONHASHSEED": "123"}  # read as an interpreter starts
    done = warm_start.run(
        [sys.executable, "-c", "import sys; print(sys.flags.hash_randomization)"],
        env=changed, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "1"
    monkeypatch.setenv(warm_start.COLD_START, "1")
    cold = warm_start.run(
        [sys.executable, "-c", "import sys; print('sqlalchemy' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert cold.stdout.strip() == "False"  # a fresh interpreter: nothing imported ahead
