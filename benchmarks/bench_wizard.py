"""The year-end wizard's Year groups step on a 100,000-learner demo school (issue 13).

The real wizard (``YearEndWizard``) on a database already open, as the first administrator,
with the data read and the Year groups step shown at the wizard's own size. One round:

- untimed: the Year group filter set to the largest year group (20,000 learners of the
  100,000; 200 of the 1,000), nothing selected, the table painted;
- timed (judged): **Select all shown**, then the Year group filter changed to the next year
  group, each followed by the events it causes and a repaint of the table, as the
  coordinator sees it;
- timed (printed): the same selection with the filter changed to All, and Keep back then
  Moves up as usual on the whole year group (each with its recount and chart).

At 1,000 and 100,000 learners, alternately in one process after a warm-up round of each,
the median of the per-pair ratios 100,000 / 1,000. Target ≤ 3.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _common import Comparison, administrator_of, make_demo_database, report

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from planit_desktop.ui.year_end.wizard import YearEndWizard

RATIO_LIMIT = 3.0
WAIT_SECONDS = 120  # longest wait for the wizard's data before the benchmark gives up
AUGUST = date(2026, 8, 3)  # the demo school's year end is due
QUIET = ("This plugin does not support propagateSizeHints()",)


def application() -> QApplication:
    """The QApplication, made once, with the offscreen platform's repeated warning hidden."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if message not in QUIET:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([])


def open_wizard(url: str) -> tuple[Any, YearEndWizard]:
    """The wizard on ``url``, its data read, on the Year groups step (and the database)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from planit_desktop.model.db import open_database
    from planit_desktop.ui.context import AppContext
    from planit_desktop.ui.events import DataEvents
    from planit_desktop.ui.year_end.page import PageId
    from planit_desktop.ui.year_end.wizard import YearEndWizard

    database = open_database(url)
    context = AppContext(database, administrator_of(database), DataEvents())
    wizard = YearEndWizard(context, today=lambda: AUGUST)
    loop, timeout = QEventLoop(), QTimer()
    wizard.sig_data_loaded.connect(loop.quit)
    timeout.setSingleShot(True)
    timeout.timeout.connect(loop.quit)
    timeout.start(WAIT_SECONDS * 1000)
    wizard.show()
    loop.exec()
    if wizard.data is None:
        raise RuntimeError(f"the wizard did not read its data within {WAIT_SECONDS} s")
    while wizard.currentId() != PageId.YEAR_GROUPS:
        wizard.next()
    return database, wizard


def close_wizard(database: Any, wizard: YearEndWizard) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    wizard.reject()
    wizard.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    database.dispose()
    gc.collect()


class Round:
    """The Year groups step of one wizard, driven as the coordinator would."""

    def __init__(self, wizard: YearEndWizard) -> None:
        from planit_desktop.ui.year_end.page import PageId

        self.page: Any = wizard.pages[PageId.YEAR_GROUPS]
        counts = wizard.data.plan.learners_by_year_before if wizard.data else {}
        self.year = max(counts, key=lambda year: (counts[year], -year))
        self.next_year = min((y for y in counts if y > self.year), default=min(counts))
        self.learners = counts[self.year]

    def settle(self) -> None:
        """Deliver what the last action posted and paint the table, as the screen would."""
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.processEvents()
        self.page.table.viewport().repaint()

    def show_year(self, year: int | None) -> None:
        combo = self.page.year_filter
        combo.setCurrentIndex(combo.findData(year))

    def prepare(self) -> None:
        """Untimed: the largest year group shown, nobody selected or marked."""
        self.show_year(self.year)
        self.page.table.clearSelection()
        self.settle()

    def timed(self, action: Callable[[], object]) -> float:
        start = time.perf_counter()
        action()
        self.settle()
        return time.perf_counter() - start

    def select_then_filter(self, year: int | None) -> float:
        self.prepare()
        seconds = self.timed(self.page.select_all.click)
        if len(self.page.selected_ids()) != self.learners:
            raise RuntimeError("Select all shown did not select the whole year group")
        return seconds + self.timed(lambda: self.show_year(year))

    def mark_whole_year(self) -> float:
        self.prepare()
        self.page.select_all.click()
        self.settle()
        seconds = self.timed(self.page.keep_back.click)
        if len(self.page.year_end().learners.kept_back) != self.learners:
            raise RuntimeError("Keep back did not keep back the whole year group")
        seconds += self.timed(self.page.moves_up.click)
        return seconds


def bench(small_url: str, large_url: str, small: int, large: int, runs: int) -> None:
    application()
    wizards = {size: open_wizard(url) for size, url in ((small, small_url), (large, large_url))}
    rounds = {size: Round(wizard) for size, (_db, wizard) in wizards.items()}
    measures: dict[str, Callable[[Round], float]] = {
        "select all shown, then the next year group": lambda r: r.select_then_filter(r.next_year),
        "select all shown, then All": lambda r: r.select_then_filter(None),
        "keep back, then moves up, a whole year group": Round.mark_whole_year,
    }
    results: dict[str, Comparison] = {}
    try:
        for name, measure in measures.items():
            measure(rounds[large])  # warm-up: imports, caches, the chart's first drawing
            measure(rounds[small])
            large_times, small_times = [], []
            for _ in range(runs):
                large_times.append(measure(rounds[large]))
                small_times.append(measure(rounds[small]))
            results[name] = Comparison(tuple(large_times), tuple(small_times))
    finally:
        for database, wizard in wizards.values():
            close_wizard(database, wizard)
    for name, compared in list(results.items())[1:]:
        report(
            f"Year-end wizard, {name}: {large:,} vs {small:,} learners (printed, not judged)",
            {
                f"{large:,} learners ({rounds[large].learners:,} selected, median)": (
                    compared.a_median
                ),
                f"{small:,} learners ({rounds[small].learners:,} selected, median)": (
                    compared.b_median
                ),
                f"slowest of {large:,}": max(compared.a_times),
            },
            compared.ratio,
        )
    judged_name, judged = next(iter(results.items()))
    report(
        f"Year-end wizard, {judged_name}: {large:,} vs {small:,} learners",
        {
            **{f"{large:,} run {i}": t for i, t in enumerate(judged.a_times, 1)},
            **{f"{small:,} run {i}": t for i, t in enumerate(judged.b_times, 1)},
            f"{large:,} learners ({rounds[large].learners:,} selected, median)": judged.a_median,
            f"{small:,} learners ({rounds[small].learners:,} selected, median)": judged.b_median,
        },
        judged.ratio,
        RATIO_LIMIT,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planit-bench-wizard-") as folder_name:
        folder = Path(folder_name)
        large = make_demo_database(folder / "large.db", args.learners, seed=1)
        small = make_demo_database(folder / "small.db", args.small, seed=1)
        bench(f"sqlite:///{small}", f"sqlite:///{large}", args.small, args.learners, args.runs)
    return 0  # benchmarks report; they do not fail the build


if __name__ == "__main__":
    raise SystemExit(main())
