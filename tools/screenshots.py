"""Take the README's screenshots of real windows on a virtual screen.

Run under Xvfb (Debian's xvfb package), from the repository:

    xvfb-run -a -s "-screen 0 1440x960x24" .venv/bin/python tools/screenshots.py docs/screenshots

It builds a 1,000-learner demo school in a temporary folder, signs in as a demo
administrator, and saves one PNG per tab and per year-end wizard step.
"""

from __future__ import annotations

import os
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
    window.close()
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
