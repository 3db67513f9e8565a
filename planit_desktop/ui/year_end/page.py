"""What every step of the year-end wizard shares: the steps' ids, the data the wizard reads once,
the page class, and the wizard as a page sees it (so the pages need not import the wizard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import QAbstractButton, QLabel, QWizard, QWizardPage

from planit_desktop.model.actor import Actor
from planit_desktop.model.services.groups.listing import list_groups
from planit_desktop.model.services.learners.duplicates import possible_duplicates
from planit_desktop.model.services.learners.roll import LearnerRow, list_learners
from planit_desktop.model.services.year_end import RolloverPlan, plan_rollover
from planit_desktop.model.services.year_end.choices import YearEndChoices
from planit_desktop.model.services.year_end.draft import SavedDraft, load_draft
from planit_desktop.model.services.year_end.run import YearEndOutcome
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.groups.year_renames import YearRenameModel
from planit_desktop.ui.year_end.models import YearEndLearnerModel


class PageId(IntEnum):
    WELCOME = 0
    YEAR_GROUPS = 1
    GROUPS = 2
    STAFF = 3
    CHECKS = 4
    CONFIRM = 5
    RUN = 6
    NEXT_STEPS = 7


@dataclass(frozen=True)
class WizardData:
    """What the wizard reads once: the plan without exceptions, the learners on roll, every
    group's name, possible duplicate learners, and the saved draft (if any)."""

    plan: RolloverPlan
    learners: list[LearnerRow]
    group_names: dict[int, str]
    duplicates: list[tuple[int, ...]]
    draft: SavedDraft | None


def load_wizard_data(session: Any, actor: Actor) -> WizardData:
    """Read the wizard's data (worker thread); only administrators may."""
    plan = plan_rollover(session, actor)
    learners = list_learners(session, actor, include_left=False)
    groups = {row.id: row.name for row in list_groups(session, actor)}
    return WizardData(
        plan,
        learners,
        groups,
        possible_duplicates(learners),
        load_draft(session, actor, plan.from_year),
    )


class YearEndPage(QWizardPage):
    """A step of the wizard: its help text, and a hook for when the data has arrived."""

    help_text = ""

    def year_end(self) -> YearEndHost:
        wizard = self.wizard()
        assert isinstance(wizard, QWizard)
        return wizard  # type: ignore[return-value]  # the YearEndWizard is a YearEndHost

    def data_loaded(self, data: WizardData) -> None:
        """The wizard's data arrived (or arrived again); fill the page."""


class YearEndHost(Protocol):
    """The year-end wizard as its pages use it."""

    context: AppContext
    data: WizardData | None
    learners: YearEndLearnerModel
    renames: YearRenameModel
    outcome: YearEndOutcome | None
    pages: dict[PageId, YearEndPage]
    sig_year_end_done: SignalInstance

    def today(self) -> date: ...

    def choices(self) -> YearEndChoices: ...

    def button(self, which: QWizard.WizardButton) -> QAbstractButton: ...

    def setOption(self, option: QWizard.WizardOption, on: bool = True) -> None: ...  # noqa: N802

    def discard_draft(self) -> None: ...

    def go_to_tab(self, title: str) -> None: ...


def paragraph(text: str) -> QLabel:
    """A label of plain text that wraps within the page's width."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
