"""The Learners tab's first page: shown at once, then the whole school in its place, keeping
the selection and the scroll; searching, filters and sorting wait for every learner; a small
school is read once. The demo school has 200 learners on roll, so the page is made smaller."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import LearnerStatus
from planit_desktop.model.services.learners import roll as learners_service
from planit_desktop.model.services.learners.roll import (
    LearnerRow,
    list_learners,
    matches,
    search_tokens,
)
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.learners.tab import SEARCH_DELAY_MS, LearnersTab
from planit_desktop.ui.learners.table import LearnerColumn
from tests.support.ui_learners import signed_in

PAGE = 60


class Loads:
    """Counts the tab's loads; the full one waits for :meth:`release` while ``held``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.first_pages = 0
        self.full = 0
        self.held = False
        self.go = threading.Event()
        first_page, load = LearnersTab.load_first_page, LearnersTab.load

        def counted_first_page(tab: LearnersTab, session: Any, progress: Any) -> Any:
            self.first_pages += 1
            return first_page(tab, session, progress)

        def counted_load(tab: LearnersTab, session: Any, progress: Any) -> Any:
            self.full += 1
            if self.held:
                assert self.go.wait(20)
            return load(tab, session, progress)

        monkeypatch.setattr(LearnersTab, "load_first_page", counted_first_page)
        monkeypatch.setattr(LearnersTab, "load", counted_load)

    def release(self) -> None:
        self.go.set()


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Loads]:
    monkeypatch.setattr(LearnersTab, "FIRST_PAGE", PAGE)
    counted = Loads(monkeypatch)
    yield counted
    counted.release()  # never leave a worker waiting


def first_page_tab(qtbot: Any, database: Database, actor: Actor, loads: Loads) -> LearnersTab:
    """The tab shown with its first page only: the full load waits for ``loads.release()``."""
    loads.held = True
    tab = LearnersTab(AppContext(database, actor, DataEvents()))
    qtbot.addWidget(tab)
    tab.resize(1000, 400)
    texts: list[str] = []
    set_text = tab.count_label.setText

    def recorded(text: str) -> None:
        texts.append(text)
        set_text(text)

    tab.count_label.setText = recorded  # type: ignore[method-assign]
    tab.label_texts = texts  # type: ignore[attr-defined]  # every count shown, in order
    with qtbot.waitSignal(tab.sig_first_page_shown, timeout=10_000):
        tab.show()
    qtbot.waitUntil(lambda: loads.full == 1, timeout=10_000)  # the rest is being read
    return tab


def everyone(database: Database, actor: Actor) -> list[LearnerRow]:
    with database.read() as session:
        return list_learners(session, actor, include_left=True)


def test_the_first_page_shows_at_once_then_everyone_in_its_place(
    qtbot: Any, qtmodeltester: Any, demo_database: Database, admin: Actor, loads: Loads
) -> None:
    tab = first_page_tab(qtbot, demo_database, admin, loads)
    school = everyone(demo_database, admin)
    assert tab.model.rows() == school[:PAGE] and not tab.loaded and tab.loading
    on_roll = [r for r in school[:PAGE] if r.status is LearnerStatus.ON_ROLL]
    assert tab.visible_rows() == on_roll
    assert tab.count_label.text() == f"Showing the first {len(on_roll)} learners… loading the rest"
    assert not tab.actions_.export.isEnabled()  # it would save the first page alone
    tab.select_learners([on_roll[0].id])
    assert tab.actions_.correct.isEnabled() and not tab.actions_.merge.isEnabled()
    qtmodeltester.check(tab.model)

    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        loads.release()
    assert tab.model.rows() == school and tab.loaded and not tab.loading
    assert tab.count_label.text() == "200 of 200 learners"
    # The count went from the first page straight to everyone: nothing in between.
    assert tab.label_texts[-1] == "200 of 200 learners"  # type: ignore[attr-defined]
    assert {t.split("…")[0] for t in tab.label_texts[:-1]} == {  # type: ignore[attr-defined]
        f"Showing the first {len(on_roll)} learners"
    }
    assert tab.actions_.export.isEnabled() and tab.actions_.merge.isEnabled()
    assert [r.id for r in tab.selected_rows()] == [on_roll[0].id]
    qtmodeltester.check(tab.model)
    assert (loads.first_pages, loads.full) == (1, 1)

    # A change reloads everything (no first page), the rows staying on screen meanwhile.
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        tab.context.events.announce({"learners"})
        assert tab.model.rows() == school
    assert (loads.first_pages, loads.full) == (1, 2)


def test_the_rest_replaces_the_page_keeping_the_selection_and_the_scroll(
    qtbot: Any, demo_database: Database, admin: Actor, loads: Loads
) -> None:
    tab = first_page_tab(qtbot, demo_database, admin, loads)
    shown = tab.visible_rows()
    bar = tab.table.verticalScrollBar()
    tab.select_learners([shown[-5].id])
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()
    top = tab.table.indexAt(QPoint(1, 1)).row()
    assert scrolled > 0 and top > 0
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        loads.release()
    assert tab.model.match_count() == 200
    assert bar.value() == scrolled and tab.table.indexAt(QPoint(1, 1)).row() == top
    assert [r.id for r in tab.selected_rows()] == [shown[-5].id]


def test_search_filters_and_sorting_wait_for_every_learner(
    qtbot: Any, demo_database: Database, admin: Actor, loads: Loads
) -> None:
    tab = first_page_tab(qtbot, demo_database, admin, loads)
    page = tab.visible_rows()
    # Someone the first page does not hold: searching the page alone would find nobody.
    school = everyone(demo_database, admin)
    last = school[-1]
    assert last not in tab.model.rows()
    found = {r.id for r in school if matches(r.search_key, search_tokens(last.login))}
    qtbot.keyClicks(tab.search, last.login)
    qtbot.wait(SEARCH_DELAY_MS * 2)
    assert tab.visible_rows() == page
    first = f"Showing the first {len(page)} learners"
    assert tab.count_label.text() == f"{first}… loading the rest to apply your search"
    header = tab.table.horizontalHeader()
    section = header.sectionViewportPosition(LearnerColumn.LOGIN) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(section, 5))
    assert header.sortIndicatorSection() == LearnerColumn.LOGIN
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    tab.show_left.setChecked(True)
    assert tab.visible_rows() == page
    assert tab.count_label.text() == (
        f"{first}… loading the rest to apply your search, filter and sorting"
    )
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)  # to the first match, once it is known
    assert not any(t.startswith("0 ") for t in tab.label_texts)  # type: ignore[attr-defined]

    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        loads.release()
    shown = tab.visible_rows()
    assert {r.id for r in shown} == found and last.id in found
    assert tab.count_label.text() == f"{len(found)} of {len(school)} learners"
    assert tab.model.sort_column() == (LearnerColumn.LOGIN, Qt.SortOrder.AscendingOrder)
    assert tab.table.currentIndex().row() == 0 and tab.selected_rows() == shown[:1]
    tab.search.clear()
    logins = [r.login.casefold() for r in tab.visible_rows()]
    assert logins == sorted(logins) and len(logins) > 200  # sorted, with the leavers


def test_when_the_rest_cannot_be_read_the_first_page_says_so(
    qtbot: Any, demo_database: Database, admin: Actor, loads: Loads, monkeypatch: Any
) -> None:
    on_fire = [True]

    def broken(session: Any, actor: Actor, **options: Any) -> Any:
        if on_fire[0]:
            raise RuntimeError("the disk is on fire")
        return learners_service.list_learners(session, actor, **options)

    monkeypatch.setattr("planit_desktop.ui.learners.tab.list_learners", broken)
    tab = first_page_tab(qtbot, demo_database, admin, loads)
    shown = len(tab.visible_rows())
    with qtbot.waitSignal(tab.sig_tab_failed, timeout=10_000):
        loads.release()
    assert tab.problem.isVisibleTo(tab)
    assert tab.count_label.text() == (
        f"Showing the first {shown} learners only: the rest could not be loaded"
    )
    on_fire[0] = False  # the disk cools down; "Try again" reads the rest alone
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        tab.reload()
        assert tab.count_label.text().endswith("loading the rest")
    assert tab.count_label.text() == "200 of 200 learners" and not tab.problem.isVisibleTo(tab)
    assert (loads.first_pages, loads.full) == (1, 2)


@pytest.mark.parametrize("spare", [0, 1, 500])
def test_a_small_school_is_read_once(
    qtbot: Any, demo_database: Database, loads: Loads, monkeypatch: Any, spare: int
) -> None:
    supervisor = signed_in(demo_database, "supervisor1", "demo-supervisor-pass")
    theirs = everyone(demo_database, supervisor)  # a supervisor's groups
    monkeypatch.setattr(LearnersTab, "FIRST_PAGE", len(theirs) + spare)  # a page or less
    tab = LearnersTab(AppContext(demo_database, supervisor, DataEvents()))
    qtbot.addWidget(tab)
    first_pages: list[bool] = []
    tab.sig_first_page_shown.connect(lambda: first_pages.append(True))
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        tab.show()
    assert tab.model.rows() == theirs and tab.loaded and not tab.loading
    assert (loads.first_pages, loads.full, first_pages) == (1, 0, [])
    on_roll = sum(r.status is LearnerStatus.ON_ROLL for r in theirs)
    assert tab.count_label.text() == f"{on_roll} of {on_roll} learners"
    assert tab.actions_.export.isEnabled()
