"""The year-end wizard as it looks and as it keeps up (issue 13).

Every step, at the size the wizard opens at and at 1024×700, and at 150 % and 200 % text,
has nothing squashed, drawn over anything else or cut off (tests/support/looking.py); and
on a school of 100,000 learners, selecting a whole year group of 20,000 and changing the
filter, sorting or marking them costs a handful of model signals and one recount, never one
per learner.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import QWizard

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import LearnerStatus
from planit_desktop.model.services.learners.roll import LearnerRow
from planit_desktop.model.services.year_end import LeavingDetails
from planit_desktop.ui.year_end.models import Choice, YearEndLearnerProxy
from planit_desktop.ui.year_end.page import PageId
from planit_desktop.ui.year_end.tab import YearEndTab
from planit_desktop.ui.year_end.wizard import YearEndWizard
from tests.support.looking import (
    SHOTS_FOLDER,
    TEXT_SCALES,
    assert_looks_right,
    describe,
    flaws,
    on_screen,
    save_grab,
    text_scaled,
)
from tests.support.ui_year_end import WAIT, go_to, open_tab, open_wizard

SMALL = QSize(1024, 700)


@pytest.fixture
def tab(qtbot: Any, demo_database: Database, admin: Actor) -> Iterator[YearEndTab]:
    page = open_tab(qtbot, demo_database, admin)
    yield page
    page.window().close()


def settle() -> None:
    for _ in range(3):  # layouts ask for a pass of their own after each resize
        QCoreApplication.processEvents()


def look(wizard: YearEndWizard, opened: QSize, name: str, folder: Path) -> list[Path]:
    """The current step at the wizard's own size and at 1024×700: saved, and looked at."""
    saved = []
    for label, size in (("default", opened), ("1024x700", SMALL)):
        wizard.resize(size)
        settle()
        assert wizard.size() == size, f"{name} does not fit in {size.width()}×{size.height()}"
        saved.append(save_grab(wizard, f"wizard-{name}-{label}", folder))
        assert_looks_right(wizard, f"the {name} step at its {label} size")
    wizard.resize(opened)
    settle()
    return [path for path in saved if path is not None]


def every_step(qtbot: Any, wizard: YearEndWizard) -> Iterator[str]:
    """Each step in turn, holding the longest texts it can (the name of each is yielded
    while it is shown); the year end is run on the way."""
    yield "welcome"
    page = go_to(wizard, PageId.YEAR_GROUPS)
    # The longest notes the column "After the year end" holds: a leaver and a kept back.
    page.year_filter.setCurrentIndex(page.year_filter.findData(11))
    page.table.selectRow(0)
    page.mark(Choice.LEAVING, LeavingDetails(date(2026, 7, 20), "Moved to another school"))
    page.table.selectRow(1)
    page.keep_back.click()
    page.year_filter.setCurrentIndex(0)
    yield "year_groups"
    for page_id in (PageId.GROUPS, PageId.STAFF, PageId.CHECKS):
        go_to(wizard, page_id)
        yield page_id.name.lower()
    page = go_to(wizard, PageId.CONFIRM)
    qtbot.waitUntil(lambda: page.plan is not None, timeout=WAIT)
    yield "confirm"
    qtbot.keyClicks(page.typed, page.expected())
    wizard.next()
    qtbot.waitUntil(lambda: wizard.outcome is not None, timeout=WAIT)
    yield "run"
    go_to(wizard, PageId.NEXT_STEPS)
    yield "next_steps"


def test_every_step_fits_at_its_own_size_and_at_1024_by_700(
    qtbot: Any, tab: YearEndTab, tmp_path: Path
) -> None:
    wizard = open_wizard(qtbot, tab)
    settle()
    opened = wizard.size()
    screen = wizard.screen().availableGeometry()
    assert opened.width() <= screen.width() and opened.height() <= screen.height()
    # Kept for review in PLANIT_LOOK_SHOTS when it is set, else in the test's own folder.
    shots = Path(os.environ.get(SHOTS_FOLDER) or tmp_path / "wizard")
    saved = [
        path for name in every_step(qtbot, wizard) for path in look(wizard, opened, name, shots)
    ]
    assert len(set(saved)) == 16 and all(path.stat().st_size for path in saved)


@pytest.fixture(params=TEXT_SCALES)
def tab_at_large_text(
    request: pytest.FixtureRequest, qtbot: Any, demo_database: Database, admin: Actor
) -> Iterator[YearEndTab]:
    with text_scaled(TEXT_SCALES[request.param]):
        page = open_tab(qtbot, demo_database, admin)
        yield page
        page.window().close()


def test_every_step_fits_at_large_text(
    qtbot: Any, tab_at_large_text: YearEndTab, request: pytest.FixtureRequest
) -> None:
    """At 150 % and 200 % text (the font scaled, as tests/ui/test_ui_looks.py explains),
    every step at the size the wizard opens at, kept within a 1920×1080 screen."""
    wizard = open_wizard(qtbot, tab_at_large_text)
    scale = request.node.callspec.params["tab_at_large_text"]  # "text150", "text200"
    found: dict[str, list[str]] = {}
    for name in every_step(qtbot, wizard):
        settle()
        too_big = on_screen(wizard)
        settle()
        save_grab(wizard, f"wizard-{name}-{scale}")
        if problems := [str(flaw) for flaw in too_big + flaws(wizard)]:
            found[name] = problems
    assert not found, "\n".join(f"{n}:\n  " + "\n  ".join(p) for n, p in found.items())


def test_the_looking_helper_sees_what_is_wrong(qtbot: Any, tab: YearEndTab) -> None:
    """Squeezed below what its steps need, the Year groups step is found wanting, so the
    test above would notice a layout that overlaps or cuts off."""
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.YEAR_GROUPS)
    settle()
    assert flaws(wizard) == []
    page.table.setColumnWidth(0, 10)  # a column narrower than its names
    page.counts.setFixedWidth(20)  # numbers cut off
    page.select_all.setGeometry(page.table.geometry().adjusted(0, 0, -10, -10))  # drawn over
    page.keep_back.resize(10, 10)  # smaller than its text
    found = flaws(wizard)

    def seen(kind: str, widget: Any) -> bool:
        return any(f.kind == kind and describe(widget) in f.where for f in found)

    assert seen("cut off", page.table)  # its first column
    assert seen("squashed", page.counts) and seen("cut off", page.counts)
    assert seen("overlapping", page.select_all)
    assert seen("squashed", page.keep_back) and seen("cut off", page.keep_back)
    assert {flaw.kind for flaw in found} == {"cut off", "overlapping", "squashed"}
    wizard.reject()


# --- a whole year group of a large school, selected ---------------------------------------------
YEARS = (7, 8, 9, 10, 11)
PER_YEAR = 20_000


@pytest.fixture(scope="module")
def big_roll() -> tuple[LearnerRow, ...]:
    """100,000 learners, 20,000 in each year group, their names interleaving the years (made
    once for this module's tests: the rows are immutable snapshots; and let go after them, or
    every garbage collection of the rest of the run would walk them)."""
    born = date(2012, 1, 1)
    return tuple(
        LearnerRow(
            id=1_000_000 + n,
            first_names=f"Learner{n:06d}",
            surname=f"Surname{n % 997:03d}",
            date_of_birth=born,
            year_group=YEARS[n % len(YEARS)],
            groups=(f"{YEARS[n % len(YEARS)]}{'ABCD'[n % 4]}",),
            upn=None,
            sims_number=None,
            status=LearnerStatus.ON_ROLL,
            login=f"l{n}",
            search_key=f"learner{n:06d} surname{n % 997:03d} l{n}",
        )
        for n in range(PER_YEAR * len(YEARS))
    )


class Signals:
    """Counts what the Year groups step's table model and selection announce."""

    NAMES = ("modelReset", "rowsInserted", "rowsRemoved", "layoutChanged", "dataChanged")

    def __init__(self, page: Any) -> None:
        self.counts: Counter[str] = Counter()
        model: YearEndLearnerProxy = page.proxy
        for name in self.NAMES:
            getattr(model, name).connect(lambda *_args, name=name: self.counts.update([name]))
        page.table.selectionModel().selectionChanged.connect(
            lambda *_args: self.counts.update(["selectionChanged"])
        )

    def during(self, action: Callable[[], object], page: Any) -> Counter[str]:
        self.counts.clear()
        action()
        settle()
        page.table.viewport().repaint()  # what the coordinator sees, drawn
        settle()
        return Counter(self.counts)


@pytest.fixture
def big_wizard(
    qtbot: Any, tab: YearEndTab, monkeypatch: pytest.MonkeyPatch, big_roll: tuple[LearnerRow, ...]
) -> Iterator[tuple[YearEndWizard, Any, Counter[str]]]:
    """The wizard on the Year groups step holding 100,000 learners; and a count of the
    recounts (the figures worked out) and of what Qt asked the table model per cell."""
    wizard = open_wizard(qtbot, tab)
    assert wizard.data is not None
    asked: Counter[str] = Counter()
    learners = wizard.learners
    counts_after = learners.counts_after

    def counting(plan: Any) -> dict[int, int]:
        asked["recount"] += 1
        return counts_after(plan)

    monkeypatch.setattr(learners, "counts_after", counting)
    for name in ("flags", "data"):
        original = getattr(YearEndLearnerProxy, name)

        def wrapped(self: Any, *args: Any, _name: str = name, _original: Any = original) -> Any:
            asked[_name] += 1
            return _original(self, *args)

        monkeypatch.setattr(YearEndLearnerProxy, name, wrapped)
    page = go_to(wizard, PageId.YEAR_GROUPS)
    wizard._loaded(replace(wizard.data, learners=list(big_roll), draft=None))
    settle()
    yield wizard, page, asked
    wizard.reject()


#: What is counted is the window's work, the same whichever database the wizard read from.
WINDOW_ONLY = pytest.mark.sqlite_only(reason="counts the window's signals, not the database's")


@WINDOW_ONLY
def test_a_whole_year_group_selected_and_refiltered_costs_a_few_signals(
    big_wizard: tuple[YearEndWizard, Any, Counter[str]],
) -> None:
    wizard, page, asked = big_wizard
    signals = Signals(page)
    year = page.year_filter
    assert page.proxy.rowCount() == PER_YEAR * len(YEARS)
    year.setCurrentIndex(year.findData(9))
    settle()
    assert page.proxy.rowCount() == PER_YEAR

    asked.clear()
    seen = signals.during(page.select_all.click, page)
    assert len(page.selected_ids()) == PER_YEAR
    assert seen == Counter(selectionChanged=1)
    # Qt asks about the cells on the screen, not about every selected learner's.
    assert asked["flags"] < 2_000 and asked["recount"] == 0

    asked.clear()
    seen = signals.during(lambda: year.setCurrentIndex(year.findData(10)), page)
    assert seen == Counter(modelReset=1)  # one reset: no row-by-row insertions or removals
    assert asked["flags"] < 2_000 and asked["data"] < 5_000 and asked["recount"] == 0
    assert page.selected_ids() == []  # another list, another selection
    assert page.proxy.rowCount() == PER_YEAR

    # Wider: everybody shown again, in one reset, and nobody selected out of sight.
    page.select_all.click()
    seen = signals.during(lambda: year.setCurrentIndex(0), page)
    assert seen == Counter(modelReset=1)
    assert page.selected_ids() == []


@WINDOW_ONLY
def test_a_whole_year_group_marked_or_sorted_costs_one_recount(
    big_wizard: tuple[YearEndWizard, Any, Counter[str]],
) -> None:
    wizard, page, asked = big_wizard
    signals = Signals(page)
    year = page.year_filter
    year.setCurrentIndex(year.findData(9))
    page.select_all.click()
    settle()

    before = page.chart.values(1)  # after the year end, by year group
    asked.clear()
    seen = signals.during(page.keep_back.click, page)
    assert len(wizard.learners.kept_back) == PER_YEAR
    assert seen == Counter(dataChanged=1)  # one signal for the whole year group
    assert asked["recount"] == 1 and asked["flags"] < 2_000
    assert "20,000 kept back" in page.counts.text()
    # (The plan is the small demo school's; the choices are counted on top of it.)
    after = page.chart.values(1)
    assert after[YEARS.index(9)] - before[YEARS.index(9)] == PER_YEAR  # stay in Year 9

    # Sorting the same list keeps the selection, re-selected at once.
    asked.clear()
    seen = signals.during(lambda: page.table.sortByColumn(1, Qt.SortOrder.DescendingOrder), page)
    assert seen["modelReset"] == 1 and seen["selectionChanged"] <= 1
    assert seen["rowsInserted"] == seen["rowsRemoved"] == seen["layoutChanged"] == 0
    assert len(page.selected_ids()) == PER_YEAR and asked["recount"] == 0
    first = page.proxy.row_at(0)
    assert first.first_names == max(
        r.first_names for r in wizard.learners.rows() if r.year_group == 9
    )

    # "Only kept back or leaving", then all of them moved up again: one recount, and the
    # list empties in one reset.
    page.only_exceptions.setChecked(True)
    settle()
    assert page.proxy.rowCount() == PER_YEAR
    page.select_all.click()
    asked.clear()
    seen = signals.during(page.moves_up.click, page)
    assert wizard.learners.kept_back == frozenset()
    assert seen["modelReset"] == 1 and seen["rowsRemoved"] == 0 and asked["recount"] == 1
    assert page.proxy.rowCount() == 0
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_look_at_them_shows_each_learner_whole(qtbot: Any, tab: YearEndTab, tmp_path: Path) -> None:
    """The list behind a check on the Checks step opens as wide as its longest line (name,
    birth, year, groups, UPN): nothing cut off, the UPN the coordinator came to read shown."""
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.CHECKS)
    rows = page.model.rows()
    with_learners = next(i for i, row in enumerate(rows) if row.learner_ids)
    page.table.selectRow(with_learners)
    page.look_button.click()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT)
    dialog = page.dialog
    assert dialog is not None
    settle()
    shots = Path(os.environ.get(SHOTS_FOLDER) or tmp_path / "wizard")
    assert save_grab(dialog, "wizard-look-at-them", shots) is not None
    assert_looks_right(dialog, "Look at them")
    lines = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert lines and all(
        " · UPN " in line for line in lines[: len(rows[with_learners].learner_ids)]
    )
    assert dialog.list.sizeHintForColumn(0) <= dialog.list.viewport().width()
    assert not dialog.list.horizontalScrollBar().isVisible()
    dialog.reject()
