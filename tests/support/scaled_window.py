"""The main window under a real scale factor, in a process of its own: Qt reads
``QT_SCALE_FACTOR`` once, when the QApplication is made, so the tests' own process cannot
change it.

``python -m tests.support.scaled_window URL LOGIN SETTINGS_FOLDER`` opens the main window
on the school at ``URL``, signed in as ``LOGIN``, shows each tab in turn once it has
loaded, and prints one line of JSON: the flaws found (tests/support/looking.py), each tab
named, and the window's size in the program's own pixels. Run it with ``QT_SCALE_FACTOR``
and an offscreen screen of the size wanted (``offscreen:configfile=…``).
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> int:
    url, login, settings_folder = argv[1:4]
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from planit_desktop.model.db import open_database
    from planit_desktop.ui import ops
    from planit_desktop.ui.app import make_application
    from planit_desktop.ui.context import AppContext
    from planit_desktop.ui.events import DataEvents
    from planit_desktop.ui.main_window import MainWindow
    from tests.support.looking import flaws, on_screen, save_grab
    from tests.support.sign_in import staff_actor

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_folder)
    app = make_application()
    database = open_database(url, create=False)
    window = MainWindow(AppContext(database, staff_actor(database, login), DataEvents()))
    window.show()
    screen = window.screen().availableGeometry().size()
    found: dict[str, list[str]] = {}
    assert window.tabs is not None
    for index in range(window.tabs.count()):
        tab = window.tabs.widget(index)
        window.tabs.setCurrentIndex(index)
        deadline = time.monotonic() + 20
        while not getattr(tab, "loaded", True) and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        ops.wait_for_operations(10_000)
        for _ in range(3):
            QApplication.processEvents()
        name = type(tab).__name__
        problems = [str(flaw) for flaw in on_screen(window, screen) + flaws(window)]
        if not getattr(tab, "loaded", True):
            problems.append("did not load within 20 s")
        save_grab(window, f"scale2-tab-{name}")
        if problems:
            found[name] = problems
    size = [window.width(), window.height()]
    window.close()
    database.engine.dispose()
    print(json.dumps({"found": found, "size": size, "screen": [screen.width(), screen.height()]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
