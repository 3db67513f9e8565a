"""Cold start of the window on a 100,000-learner school against a bare PySide6 window.

Issue 2: ``planit-desktop --db school.db`` shows its main window in at most twice the time a
bare PySide6 script takes to show an empty QMainWindow. Both are whole processes, timed
alternately in one run; the application quits itself once its window is on screen because
``PLANIT_EXIT_WHEN_SHOWN=1`` is set. For information (no target), the same start-up until the
database is open and the sign-in dialog is on screen (``PLANIT_EXIT_WHEN_SHOWN=sign-in``):
the school's data is shown only after someone signs in, and nothing lets a benchmark skip that.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from _common import make_demo_database, report, side_by_side, time_command

LIMIT_RATIO = 2.0

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.show()
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planit-bench-") as folder:
        home = Path(folder)
        database = make_demo_database(home / "school.db", args.learners)
        env = dict(os.environ)
        # Settings and the log go to the temporary folder, never the user's own.
        env.update(
            {
                "PLANIT_EXIT_WHEN_SHOWN": "1",
                "XDG_CONFIG_HOME": str(home / "config"),
                "XDG_DATA_HOME": str(home / "data"),
                "QT_QPA_PLATFORM": env.get("QT_QPA_PLATFORM", "offscreen"),
            }
        )
        env.pop("PLANIT_DATABASE_URL", None)
        planit = [sys.executable, "-m", "planit_desktop", "--db", str(database)]
        bare = [sys.executable, "-c", BARE_WINDOW]
        with_data = dict(env, PLANIT_EXIT_WHEN_SHOWN="sign-in")
        # The window's own start-up, without the command-line parser (which imports every
        # sub-command, and with them the database layer, before the window can start).
        gui_only = [
            sys.executable,
            "-c",
            "import sys; from planit_desktop.ui.app import run_gui; "
            "raise SystemExit(run_gui(sys.argv[1]))",
            str(database),
        ]
        comparison = side_by_side(
            lambda: time_command(planit, env=env),
            lambda: time_command(bare, env=env),
            runs=args.runs,
        )
        data = side_by_side(
            lambda: time_command(planit, env=with_data),
            lambda: time_command(bare, env=env),
            runs=args.runs,
        )
        window_only = side_by_side(
            lambda: time_command(gui_only, env=env),
            lambda: time_command(bare, env=env),
            runs=args.runs,
        )
    report(
        f"cold start to the main window, {args.learners:,} learners",
        {
            "runs each": args.runs,
            "planit-desktop, window shown (median)": comparison.a_median,
            "bare PySide6 window (median)": comparison.b_median,
            "planit-desktop, database open and sign-in shown (median)": data.a_median,
            "ratio with sign-in shown (no target)": f"{data.ratio:.2f}",
            "run_gui alone, window shown (median)": window_only.a_median,
            "ratio of run_gui alone (no target)": f"{window_only.ratio:.2f}",
        },
        comparison.ratio,
        LIMIT_RATIO,
    )
    return 0  # benchmarks report; they do not fail the build


if __name__ == "__main__":
    raise SystemExit(main())
