"""The built bundle beside the virtual environment: size on disk and start to sign-in.

Issue 16: ``make dist`` makes a one-folder application of at most 200 MB unpacked on Linux.
Its size is measured beside ``.venv``'s, and its start-up to the sign-in dialog beside the same
program started from ``.venv`` (``PLANIT_EXIT_WHEN_SHOWN=sign-in``, offscreen, on a demo
school), timed alternately in one run; the figures are medians. Skipped, with a message, when
no bundle has been built (``make dist``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from _common import make_demo_database, report, side_by_side, time_command

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "planit-desktop"
LIMIT_MB = 200.0


def size_of(folder: Path) -> tuple[int, int]:
    """(bytes, files) under ``folder``, symbolic links not followed."""
    total = files = 0
    for parent, _subfolders, names in os.walk(folder):
        for name in names:
            path = Path(parent) / name
            if not path.is_symlink():
                total += path.stat().st_size
                files += 1
    return total, files


def _program(folder: Path, name: str) -> Path:
    for candidate in (folder / f"{name}.exe", folder / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(folder / name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    args = parser.parse_args()
    if not args.bundle.is_dir():
        print(f"== bundle: skipped: no bundle at {args.bundle} (`make dist` builds one)")
        return 0
    bundle_program = _program(args.bundle, "planit-desktop")
    venv = Path(sys.prefix)
    venv_program = _program(venv / ("Scripts" if os.name == "nt" else "bin"), "planit-desktop")
    bundle_bytes, bundle_files = size_of(args.bundle)
    venv_bytes, venv_files = size_of(venv)
    with tempfile.TemporaryDirectory(prefix="planit-bench-") as folder:
        home = Path(folder)
        database = make_demo_database(home / "school.db", args.learners)
        env = dict(os.environ)
        env.update(
            {
                "PLANIT_EXIT_WHEN_SHOWN": "sign-in",
                "XDG_CONFIG_HOME": str(home / "config"),
                "XDG_DATA_HOME": str(home / "data"),
                "QT_QPA_PLATFORM": env.get("QT_QPA_PLATFORM", "offscreen"),
            }
        )
        env.pop("PLANIT_DATABASE_URL", None)
        start = side_by_side(
            lambda: time_command([str(bundle_program), "--db", str(database)], env=env),
            lambda: time_command([str(venv_program), "--db", str(database)], env=env),
            runs=args.runs,
        )
    size_mb = bundle_bytes / 1_000_000
    venv_mb = venv_bytes / 1_000_000
    report(
        f"bundle size ({args.bundle.name}) beside {venv.name}",
        {
            "bundle": f"{size_mb:.0f} MB in {bundle_files:,} files",
            f"{venv.name} (as installed now)": f"{venv_mb:.0f} MB in {venv_files:,} files",
            "bundle / 200 MB target": f"{size_mb / LIMIT_MB:.2f}",
        },
        size_mb / LIMIT_MB,
        1.0,
    )
    report(
        f"start to the sign-in dialog, {args.learners:,} learners, bundle beside {venv.name}",
        {
            "runs each": args.runs,
            "bundle (median)": start.a_median,
            f"{venv.name}/bin/planit-desktop (median)": start.b_median,
        },
        start.ratio,
    )
    return 0  # benchmarks report; they do not fail the build


if __name__ == "__main__":
    raise SystemExit(main())
