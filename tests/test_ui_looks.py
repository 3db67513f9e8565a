"""A test that looks: every tab of the main window and the dialogs reachable from it (the
year-end wizard aside: its own test looks at it), with realistic data, at the default size
and at 1024×700, on the light and the dark palette. It fails where a widget is squashed
below its minimum size, where siblings overlap, or where a label's text is cut off; and it
lists every input, table and button a screen reader could not name.

Set ``PLANIT_LOOK_SHOTS`` to a folder to keep the screenshots for review."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from looking_support import look_at, save_grab, tab_order, unnamed
from PySide6.QtCore import QRect
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from test_ui_helpers import message_boxes, ops_drained, settings_folder  # noqa: F401

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.model.services.learners.details import learner_details
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.ui.common import styles
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.groups.tab import GroupsTab
from planit_desktop.ui.learners.tab import LearnersTab
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.staff.tab import StaffAccessTab
from planit_desktop.ui.subjects.tab import SubjectsTab
from planit_desktop.ui.year_end.tab import YearEndTab

LONG_SURNAME = "Featherstonehaugh-Cholmondeley-Wolfeschlegelsteinhausen"
SIZES = {"default": None, "1024x700": (1024, 700)}
TABS = (YearEndTab, LearnersTab, GroupsTab, StaffAccessTab, SubjectsTab)


@pytest.fixture(params=["light", "dark"])
def palette(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    before = QPalette(qapp.palette())
    styles.follow_colour_scheme(qapp)
    qapp.setPalette(
        styles.dark_palette() if request.param == "dark" else qapp.style().standardPalette()
    )
    yield request.param
    qapp.setPalette(before)


@pytest.fixture
def window(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    settings_folder: Any,  # noqa: F811
    message_boxes: Any,  # noqa: F811
    ops_drained: None,  # noqa: F811
) -> Iterator[MainWindow]:
    with demo_database.begin() as session:
        first = list_learners(session, admin)[0]
        version = learner_details(session, admin, first.id).version
        correct_learner(
            session, admin, first.id, {"surname": LONG_SURNAME}, expected_version=version
        )
    main = MainWindow(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.tab(YearEndTab).sig_tab_loaded, timeout=10_000):
        main.show()
    yield main


def _sized(widget: QWidget, size: tuple[int, int] | None) -> None:
    if size is not None:
        widget.resize(*size)
    QApplication.processEvents()


def _show_tab(qtbot: Any, window: MainWindow, tab_class: type) -> Any:
    tab = window.tab(tab_class)
    if not tab.loaded:
        with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
            window.tabs.setCurrentWidget(tab)
    window.tabs.setCurrentWidget(tab)
    return tab


def _dialog_from(qtbot: Any, trigger: Callable[[], object]) -> QDialog:
    """The dialog ``trigger`` opens (a new visible top-level window)."""
    before = set(map(id, QApplication.topLevelWidgets()))
    trigger()

    def opened() -> QDialog | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and id(widget) not in before:
                return widget
        return None

    qtbot.waitUntil(lambda: opened() is not None, timeout=10_000)
    dialog = opened()
    assert dialog is not None
    return dialog


def _check(findings: dict[str, list[str]], name: str, widget: QWidget) -> None:
    problems = look_at(widget)
    save_grab(widget, name)
    if problems:
        findings[name] = problems


def _report(findings: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in findings.items())


def _dialogs(qtbot: Any, window: MainWindow) -> Iterator[tuple[str, QDialog]]:
    """Every top-level dialog of the tabs (wizard aside), each with realistic data in it."""
    learners = _show_tab(qtbot, window, LearnersTab)
    long_one = next(r for r in learners.model.rows() if r.surname == LONG_SURNAME)
    learners.select_learners([long_one.id])
    actions = learners.actions_
    for name, action in (
        ("correct-details", actions.correct),
        ("history", actions.history),
        ("merge", actions.merge),
        ("secondary-passwords", actions.secondary),
        ("support-requests", actions.support),
        ("remove-old-leavers", actions.remove_old),
    ):
        learners.select_learners([long_one.id])
        yield name, _dialog_from(qtbot, action.trigger)
    create = _dialog_from(qtbot, actions.create.trigger)
    # A warning shown: the same name and birth date as a learner already on roll.
    create.first_names.setText(long_one.first_names)  # type: ignore[attr-defined]
    create.surname.setText(long_one.surname)  # type: ignore[attr-defined]
    yield "create-new-user-duplicate", create
    groups = _show_tab(qtbot, window, GroupsTab)
    groups.select_group(groups.model.rows()[0].id) if hasattr(groups, "select_group") else None
    yield "add-learners", _dialog_from(qtbot, groups.actions_.add_learners.trigger)
    staff = _show_tab(qtbot, window, StaffAccessTab)
    yield "add-staff", _dialog_from(qtbot, staff.actions_.add.trigger)
    yield "lost-access", _dialog_from(qtbot, staff.actions_.lost.trigger)
    yield "year-end-guide", _dialog_from(qtbot, window.guide_action.trigger)


@pytest.mark.parametrize("size", SIZES)
def test_every_tab_looks_right(qtbot: Any, window: MainWindow, palette: str, size: str) -> None:
    _sized(window, SIZES[size])
    findings: dict[str, list[str]] = {}
    for tab_class in TABS:
        _show_tab(qtbot, window, tab_class)
        _check(findings, f"tab-{tab_class.__name__}-{size}-{palette}", window)
    assert not findings, _report(findings)


@pytest.mark.parametrize("size", SIZES)
def test_every_dialog_looks_right(qtbot: Any, window: MainWindow, palette: str, size: str) -> None:
    _sized(window, SIZES[size])
    findings: dict[str, list[str]] = {}
    for name, dialog in _dialogs(qtbot, window):
        _sized(dialog, SIZES[size] and (min(dialog.width(), 1000), min(dialog.height(), 680)))
        QApplication.processEvents()
        _check(findings, f"dialog-{name}-{size}-{palette}", dialog)
        dialog.reject()
        QApplication.processEvents()
    assert not findings, _report(findings)


def test_toolbars_show_every_action_at_the_default_size(qtbot: Any, window: MainWindow) -> None:
    learners = _show_tab(qtbot, window, LearnersTab)
    for toolbar in learners.toolbar.toolbars:
        for action in toolbar.actions():
            button = toolbar.widgetForAction(action)
            assert button is not None and button.isVisible(), action.text()
            inside = QRect(0, 0, toolbar.width(), toolbar.height())
            assert inside.contains(button.geometry()), action.text()
    shown = {a for bar in learners.toolbar.toolbars for a in bar.actions()}
    assert shown == set(learners.actions_.all)


def test_every_input_table_and_button_can_be_named(qtbot: Any, window: MainWindow) -> None:
    """What a screen reader would say nothing for: inputs without a name or a label, tables
    and charts without a description."""
    findings: dict[str, list[str]] = {}
    for tab_class in TABS:
        tab = _show_tab(qtbot, window, tab_class)
        if found := unnamed(tab):
            findings[tab_class.__name__] = found
    for name, dialog in _dialogs(qtbot, window):
        if found := unnamed(dialog):
            findings[name] = found
        dialog.reject()
    assert not findings, _report(findings)


def test_tab_order_follows_reading_order(qtbot: Any, window: MainWindow) -> None:
    """On the main forms, Tab moves down the form, and along a row left to right."""
    findings: dict[str, list[str]] = {}
    learners = _show_tab(qtbot, window, LearnersTab)
    learners.select_learners([learners.model.rows()[0].id])
    forms = [
        ("correct-details", learners.actions_.correct.trigger),
        ("create-new-user", learners.actions_.create.trigger),
        ("add-staff", _show_tab(qtbot, window, StaffAccessTab).actions_.add.trigger),
    ]
    for name, trigger in forms:
        if name != "add-staff":
            _show_tab(qtbot, window, LearnersTab)
            learners.select_learners([learners.model.rows()[0].id])
        dialog = _dialog_from(qtbot, trigger)
        if found := out_of_reading_order(dialog):
            findings[name] = found
        dialog.reject()
    assert not findings, _report(findings)


def out_of_reading_order(root: QWidget) -> list[str]:
    """Consecutive stops of the tab order where the second comes before the first on screen."""
    order = tab_order(root)
    found = []
    for first, second in zip(order, order[1:], strict=False):
        a = QRect(first.mapTo(root, first.rect().topLeft()), first.size())
        b = QRect(second.mapTo(root, second.rect().topLeft()), second.size())
        above = b.bottom() < a.top()
        same_row = b.top() <= a.bottom() and a.top() <= b.bottom()
        if above or (same_row and b.right() < a.left()):
            found.append(f"{type(first).__name__} then {type(second).__name__} goes backwards")
    return found
