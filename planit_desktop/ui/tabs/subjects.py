"""The Subjects tab: which subjects are offered to the years that choose subjects."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout

from planit_desktop.model.services.subjects import SubjectMatrix, subject_matrix
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui import events
from planit_desktop.ui.ops import Progress
from planit_desktop.ui.tables.base import SnapshotProxy
from planit_desktop.ui.tables.subjects import SubjectMatrixModel
from planit_desktop.ui.tabs.base import DataTab
from planit_desktop.ui.tabs.groups import make_table


def _years_text(years: tuple[int, ...]) -> str:
    names = [format_year_group(year) for year in years]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class SubjectsTab(DataTab):
    title = "Subjects"
    explanation = (
        "The subjects offered to each year group that chooses subjects. Offers stay with "
        "their year group at the year end, so check them each August."
    )
    kinds = frozenset({events.SUBJECTS, events.SCHOOL, events.ROLLOVER})

    def build(self, layout: QVBoxLayout) -> None:
        self.model = SubjectMatrixModel(self)
        self.proxy = SnapshotProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b00020;")
        self.warning.hide()
        layout.addWidget(self.warning)
        layout.addWidget(self.table, 1)

    def load(self, session: Any, progress: Progress) -> SubjectMatrix:
        return subject_matrix(session, self.context.actor)

    def show_data(self, data: SubjectMatrix) -> None:
        self.model.set_matrix(data)
        self.table.resizeColumnsToContents()
        if data.years_without_subjects:
            self.warning.setText(
                f"No subject is offered to {_years_text(data.years_without_subjects)}. "
                "Learners in those years will have no subjects to choose from."
            )
            self.warning.show()
        elif not data.subjects:
            self.warning.setText("No subjects have been set up yet.")
            self.warning.show()
        else:
            self.warning.hide()
