"""Take the README's screenshots of real windows on a virtual screen.

Run under Xvfb (Debian's xvfb package), from the repository:

    xvfb-run -a -s "-screen 0 1440x960x24" .venv/bin/python tools/screenshots.py docs/screenshots

It builds a 1,000-learner demo school in a temporary folder, signs in as a demo
administrator, and saves one PNG per tab and per year-end wizard step, and one of the check
against the MIS (with an MIS export of the demo school written for it).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from planit_desktop.model.db import open_database
from planit_desktop.model.services.demo.school import ADMIN_PASSWORD, create_demo_school
from planit_desktop.model.services.staff.sign_in import sign_in


def settle(app: QApplication, seconds: float = 1.0) -> None:
    """Let background loads finish and the screen repaint."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    screen = widget.screen() or app.primaryScreen()
    screen.grabWindow(widget.winId()).save(str(path))
    print(f"saved {path}")


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp())
    database = open_database(f"sqlite:///{folder / 'school.db'}")
    with database.begin() as session:
        create_demo_school(session, learners=1000, seed=3, academic_year=2025)
    with database.begin() as session:
        actor = sign_in(session, "admin1", ADMIN_PASSWORD).actor
    assert actor is not None

    app = QApplication(sys.argv[:1])
    # Fresh layout every time, and the user's own window settings left alone.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    from planit_desktop.ui.context import AppContext
    from planit_desktop.ui.events import DataEvents
    from planit_desktop.ui.main_window import MainWindow
    from planit_desktop.ui.year_end.page import PageId
    from planit_desktop.ui.year_end.wizard import YearEndWizard

    context = AppContext(database, actor, DataEvents())
    window = MainWindow(context)
    window.resize(1280, 800)
    window.show()
    assert window.tabs is not None
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        slug = window.tabs.tabText(index).lower().replace(" ", "-")
        if slug == "groups":  # show a group's members, as a coordinator would
            settle(app)
            window.tabs.currentWidget().groups_table.selectRow(0)
        save(app, window, out / f"tab-{slug}.png")

    wizard = YearEndWizard(context, today=lambda: date(2026, 8, 20))
    wizard.resize(1100, 760)
    wizard.show()
    settle(app, 2.0)
    for page_id in (PageId.WELCOME, PageId.YEAR_GROUPS, PageId.GROUPS, PageId.STAFF,
                    PageId.CHECKS, PageId.CONFIRM):  # fmt: skip
        save(app, wizard, out / f"wizard-{page_id.value + 1}-{page_id.name.lower()}.png")
        if page_id is not PageId.CONFIRM:
            wizard.next()
    wizard.close()
    mis_check(app, window, context, folder, out)
    window.close()
    database.dispose()
    return 0


def mis_roll(database: object, path: Path) -> Path:
    """The demo school's roll as its MIS would export it, with a summer's changes."""
    from openpyxl import Workbook
    from sqlalchemy import select

    from planit_desktop.model.entities import Group, GroupMembership, Learner
    from planit_desktop.model.kinds import LearnerStatus
    from planit_desktop.model.validation.upn import check_letter

    with database.read() as session:  # type: ignore[attr-defined]
        # A learner's registration group is their group named as one ("9B"), not a set.
        tutor = {
            learner_id: name
            for learner_id, name in session.execute(
                select(GroupMembership.learner_id, Group.name).join(Group)
            )
            if re.fullmatch(r"\d{1,2}[A-Z]\d*", name)
        }
        learners = list(
            session.scalars(
                select(Learner).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
            )
        )
        session.expunge_all()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Students")
    sheet.append(["Adno", "UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year",
                  "Reg Group"])  # fmt: skip
    for number, x in enumerate(learners):
        if number % 90 == 5:
            continue  # left over the summer
        surname = x.surname + ("-Marsh" if number % 250 == 17 else "")
        year = x.year_group - 1 if number % 400 == 33 and x.year_group > 7 else x.year_group
        sheet.append([x.sims_number, x.upn, surname, x.first_names, x.date_of_birth, x.sex,
                      year, tutor.get(x.id, "")])  # fmt: skip
    for i in range(6):
        body = f"936400113{900 + i:03d}"
        sheet.append([f"90000{i}", check_letter(body) + body, f"Quennell{'abcdef'[i]}",
                      "Ottoline", date(2014, 10, 3 + i), "F", 7, ""])  # fmt: skip
    workbook.save(path)
    return path


def mis_check(app: QApplication, window: QWidget, context: object, folder: Path, out: Path) -> None:
    """The review of a comparison with the MIS, its leavers accepted."""
    from planit_desktop.model.services.reconcile import Category
    from planit_desktop.ui.reconcile.actions import MisCheck

    path = mis_roll(context.database, folder / "MIS roll.xlsx")  # type: ignore[attr-defined]
    check = MisCheck(window, context)  # type: ignore[arg-type]
    check.start(path)
    end = time.monotonic() + 60
    while check.dialog is None and time.monotonic() < end:
        settle(app, 0.2)
    dialog = check.dialog
    assert dialog is not None, "the comparison did not open"
    dialog.resize(1280, 760)
    page = dialog.page(Category.NOT_IN_MIS)
    dialog.tabs.setCurrentWidget(page)
    page.accept_all_button.click()
    page.table.selectRow(0)
    # Rendered by the widget itself: a dialog over the window may sit partly off the screen.
    settle(app)
    dialog.grab().save(str(out / "mis-check.png"))
    print(f"saved {out / 'mis-check.png'}")
    dialog.reject()


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
