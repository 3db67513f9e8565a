"""Smoke test of the built bundle, run as a school's PC would run it: `make dist-check`.

    python3 packaging/smoke_test.py dist/planit-desktop
    python3 packaging/smoke_test.py --size-only dist/planit-desktop

The bundle's program is run with no virtual environment on the PATH, no Python variables,
``HOME`` (and on Windows the profile folders) set to an empty temporary folder, and that
folder as the working directory. It must print its version, create a demo school, print
``summary --json``, preview the rollover, and open its window offscreen until the sign-in
dialog shows (``--smoke-test``). Each step has a time limit; the first failure stops the test
with the program's own words. Standard library only: it runs with any Python 3.9 or newer,
outside the project's virtual environment, on Linux, Windows and macOS alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "planit-desktop"
STEP_TIMEOUT_SECONDS = 180
# Variables that would let the bundle find this checkout's Python or the user's own data.
DROPPED_VARIABLES = (
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "PLANIT_DATABASE_URL",
    "PLANIT_EXIT_WHEN_SHOWN",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "LD_LIBRARY_PATH",
)


class SmokeTestFailed(Exception):
    pass


def executable(bundle: Path) -> Path:
    """The command-line program inside the bundle's folder."""
    for name in (NAME + ".exe", NAME):
        if (bundle / name).is_file():
            return bundle / name
    raise SmokeTestFailed(f"no {NAME} program in {bundle}: run `make dist` first")


def size_of(bundle: Path) -> tuple[int, int]:
    """(bytes, files) of everything in the bundle's folder, links not followed."""
    total = files = 0
    for folder, _subfolders, names in os.walk(bundle):
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink():
                total += path.stat().st_size
                files += 1
    return total, files


def _is_virtual_environment(entry: str) -> bool:
    folder = Path(entry)
    return (folder.parent / "pyvenv.cfg").is_file() or (folder / "pyvenv.cfg").is_file()


def clean_environment(home: Path) -> dict[str, str]:
    """The environment of a fresh account: home is ``home``, no virtual environment."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    path = [
        e for e in env.get("PATH", "").split(os.pathsep) if e and not _is_virtual_environment(e)
    ]
    env["PATH"] = os.pathsep.join(path)
    env["HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    if sys.platform == "win32":
        for variable, folder in (
            ("USERPROFILE", ""),
            ("APPDATA", "AppData/Roaming"),
            ("LOCALAPPDATA", "AppData/Local"),
        ):
            (home / folder).mkdir(parents=True, exist_ok=True)
            env[variable] = str(home / folder)
    else:
        runtime = home / ".runtime"
        runtime.mkdir(mode=0o700)
        env["XDG_RUNTIME_DIR"] = str(runtime)  # Qt wants one, private to the user
    return env


def run(program: Path, arguments: list[str], env: dict[str, str], home: Path) -> str:
    """Run the bundle's program; its standard output, or SmokeTestFailed in its own words."""
    command = [str(program), *arguments]
    shown = " ".join([NAME, *arguments])
    start = time.perf_counter()
    try:
        completed = subprocess.run(
            command,
            env=env,
            cwd=home,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=STEP_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SmokeTestFailed(f"{shown}: no answer in {STEP_TIMEOUT_SECONDS} s") from None
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        said = (completed.stderr.strip() or completed.stdout.strip()).splitlines()[-8:]
        raise SmokeTestFailed(
            f"{shown}: exit status {completed.returncode}\n    " + "\n    ".join(said)
        )
    print(f"  ok  {shown}  ({seconds:.1f} s)")
    return completed.stdout


def smoke_test(bundle: Path) -> None:
    program = executable(bundle.resolve())
    with tempfile.TemporaryDirectory(prefix="planit-smoke-") as folder:
        home = Path(folder).resolve()
        env = clean_environment(home)
        version = run(program, ["--version"], env, home).strip()
        if not version.startswith(NAME + " "):
            raise SmokeTestFailed(f"--version printed {version!r}")
        school = home / "school.db"
        run(program, ["demo-db", str(school), "--learners", "200", "--seed", "16"], env, home)
        if not school.is_file():
            raise SmokeTestFailed(f"demo-db made no {school}")
        summary = json.loads(run(program, ["summary", "--json", "--db", str(school)], env, home))
        on_roll = sum(summary["learners_by_year"].values())
        if on_roll != 200:
            raise SmokeTestFailed(f"summary --json counts {on_roll} learners on roll, not 200")
        print(f"      {summary['school']}, {summary['academic_year']}: {on_roll} learners")
        preview = run(program, ["rollover", "--preview", "--db", str(school)], env, home)
        print("      " + preview.strip().splitlines()[0])
        said = run(program, ["--smoke-test", "--db", str(school)], env, home)
        print("      " + said.strip().splitlines()[-1])
        print(f"{NAME} {version.split()[-1]}: the bundle's smoke test passed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the bundle's folder (dist/planit-desktop)")
    parser.add_argument("--size-only", action="store_true", help="only print the bundle's size")
    args = parser.parse_args()
    try:
        if not args.bundle.is_dir():
            raise SmokeTestFailed(f"there is no bundle at {args.bundle}: run `make dist` first")
        total, files = size_of(args.bundle)
        print(f"{args.bundle}: {total / 1_000_000:.0f} MB in {files} files")
        if not args.size_only:
            smoke_test(args.bundle)
    except SmokeTestFailed as failure:
        print(f"smoke test failed: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
