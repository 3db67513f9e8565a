"""The year-end wizard: eight steps from "what happens" to "what to do next".

The wizard reads what it needs once (the plan, the learners on roll, the saved draft) in the
background; every choice after that is worked out on the screen, and saved as a draft in the
database when the coordinator moves between steps or closes the wizard, so the year end can
be continued later (here or on another computer). Only the Run step changes the school.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard
from shiboken6 import isValid

from planit_desktop.model.services.year_end.choices import YearEndChoices
from planit_desktop.model.services.year_end.draft import discard_draft, save_draft
from planit_desktop.model.services.year_end.run import YearEndOutcome
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.groups.year_renames import YearRenameModel
from planit_desktop.ui.ops import describe_failure
from planit_desktop.ui.year_end.drafts import drafts_for
from planit_desktop.ui.year_end.models import YearEndLearnerModel
from planit_desktop.ui.year_end.page import PageId, WizardData, YearEndPage, load_wizard_data

TITLE = "Year end"


class YearEndWizard(QWizard):
    """Runs the year end for ``context``'s school. ``today`` is the clock (tests set it);
    ``navigate(tab_title)`` brings a tab of the main window to the front."""

    #: The data was read and every page filled.
    sig_data_loaded = Signal()
    #: A draft was saved in the database.
    sig_draft_saved = Signal()
    #: The year end ran (a YearEndOutcome).
    sig_year_end_done = Signal(object)

    def __init__(
        self,
        context: AppContext,
        *,
        today: Callable[[], date] = date.today,
        navigate: Callable[[str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from planit_desktop.ui.year_end.pages_intro import WelcomePage, YearGroupsPage
        from planit_desktop.ui.year_end.pages_review import ChecksPage, GroupsPage, StaffPage
        from planit_desktop.ui.year_end.pages_run import ConfirmPage, NextStepsPage, RunPage

        self.context = context
        self.today = today
        self.navigate = navigate
        self.data: WizardData | None = None
        self.outcome: YearEndOutcome | None = None
        self.saved: YearEndChoices | None = None
        self.initial = YearEndChoices()
        self.learners = YearEndLearnerModel(self)
        self.renames = YearRenameModel(self)
        self.setWindowTitle(f"{TITLE} – Plan-it Desktop")
        self.setObjectName("year_end_wizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.HaveHelpButton, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.pages: dict[PageId, YearEndPage] = {
            PageId.WELCOME: WelcomePage(),
            PageId.YEAR_GROUPS: YearGroupsPage(),
            PageId.GROUPS: GroupsPage(),
            PageId.STAFF: StaffPage(),
            PageId.CHECKS: ChecksPage(),
            PageId.CONFIRM: ConfirmPage(),
            PageId.RUN: RunPage(),
            PageId.NEXT_STEPS: NextStepsPage(),
        }
        for page_id, page in self.pages.items():
            self.setPage(page_id, page)
        self.setStartId(PageId.WELCOME)
        self.helpRequested.connect(self.show_help)
        self.currentIdChanged.connect(self._on_page_changed)
        # Sized in text lines and characters, so it grows with the system's font.
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 120, metrics.lineSpacing() * 38)
        self.load()

    # --- data --------------------------------------------------------------------------------
    def load(self) -> None:
        actor = self.context.actor
        self.context.run(
            self,
            lambda session, _progress: load_wizard_data(session, actor),
            on_success=self._loaded,
            on_failure=self._load_failed,
        )

    def _loaded(self, data: WizardData) -> None:
        self.data = data
        self.learners.set_learners(data.learners, data.plan.highest_year)
        for page in self.pages.values():
            page.data_loaded(data)
        self.initial = self.choices()
        if data.draft is not None:
            self.restore(data.draft.choices)
            self.saved = self.choices()
        self.sig_data_loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self.pages[PageId.WELCOME].show_problem(describe_failure(error))  # type: ignore[attr-defined]

    # --- the choices: read from the two models, and put back into them, here only ----------
    def choices(self) -> YearEndChoices:
        """What the coordinator has chosen so far: the learners model's kept back and
        leaving, the renames model's ticked groups with their new names (and the names typed
        for groups left unticked, which only the draft keeps)."""
        rows = self.renames.rows()
        return YearEndChoices(
            kept_back=self.learners.kept_back,
            leaving=dict(self.learners.leaving),
            renames={r.group_id: r.new for r in rows if r.chosen},
            names_not_chosen={
                r.group_id: r.new for r in rows if not r.chosen and r.new != (r.suggested or r.old)
            },
        )

    def restore(self, choices: YearEndChoices) -> None:
        """Put saved choices back (learners no longer on roll and deleted groups are skipped)."""
        self.learners.restore(choices)
        for row, choice in enumerate(self.renames.rows()):
            typed = choices.renames.get(
                choice.group_id, choices.names_not_chosen.get(choice.group_id)
            )
            if typed is not None:
                self.renames.set_new_name(row, typed)
            self.renames.set_chosen(row, choice.group_id in choices.renames)

    def save_draft(self) -> None:
        """Save the choices in the database if they changed since last saved."""
        if self.data is None or self.outcome is not None:
            return
        choices = self.choices()
        if choices == (self.initial if self.saved is None else self.saved):
            return
        self.saved = choices
        actor, year = self.context.actor, self.data.plan.from_year
        drafts_for(self.context.database).submit(
            self.context,
            lambda session: save_draft(session, actor, year, choices),
            on_done=lambda _saved: self._if_open(self.sig_draft_saved.emit),
            replaces_earlier=True,
        )

    def _if_open(self, call: Callable[[], object]) -> None:
        # Draft work outlives the wizard (saved on close); its answer may find it gone.
        if isValid(self):
            call()

    def discard_draft(self) -> None:
        """Forget the saved choices and start again from the plan."""
        if self.data is None:
            return
        actor, year = self.context.actor, self.data.plan.from_year
        drafts_for(self.context.database).submit(
            self.context,
            lambda session: discard_draft(session, actor, year),
            on_done=lambda _found: self._if_open(self._start_afresh),
            on_failed=lambda error: self._if_open(
                lambda: QMessageBox.warning(self, TITLE, describe_failure(error))
            ),
        )

    def _start_afresh(self) -> None:
        assert self.data is not None
        self.saved = None
        self._loaded(WizardData(**{**self.data.__dict__, "draft": None}))

    # --- navigation and help -----------------------------------------------------------------
    @Slot(int)
    def _on_page_changed(self, _page_id: int) -> None:
        self.save_draft()

    @Slot()
    def show_help(self) -> None:
        page = self.currentPage()
        text = page.help_text if isinstance(page, YearEndPage) else ""
        QMessageBox.information(self, f"{TITLE}: help", text or "No help for this step.")

    def go_to_tab(self, title: str) -> None:
        """Close the wizard and show the tab called ``title``."""
        if self.navigate is not None:
            self.navigate(title)
        self.accept()

    def done(self, result: int) -> None:
        self.save_draft()  # closing half-way keeps the choices for next time
        super().done(result)
