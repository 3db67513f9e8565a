"""Help ▸ About and Help ▸ Year-end guide."""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planit_desktop import __version__
from planit_desktop.ui.common.styles import keep_height_for_width, open_at_text_size
from planit_desktop.ui.settings import APPLICATION

GUIDE_RESOURCE = "year_end_guide.html"


def year_end_guide_html() -> str:
    """The year-end guide, written for this program in our own words."""
    try:
        return (resources.files("planit_desktop.ui") / "help" / GUIDE_RESOURCE).read_text(
            encoding="utf-8"
        )
    except OSError:
        return "<p>The year-end guide is missing from this installation.</p>"


class YearEndGuideDialog(QDialog):
    """The guide in a scrollable, resizable window; links open in the browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.setWindowTitle("Year-end guide")
        open_at_text_size(self, 90, 32)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Year-end guide")
        self.browser.setAccessibleDescription(
            "The steps of the year end, what each does and how to undo it."
        )
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(year_end_guide_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


def about_text() -> str:
    """The About box: the program's name and version, what it is for, and what it runs on
    (for whoever supports the school's computers)."""
    import platform

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    return (
        f"<h3>{APPLICATION} {__version__}</h3>"
        "<p>The year end and learner data of a school's Plan-it pre-16 careers planning, "
        "for the school's Plan-it coordinator.</p>"
        "<p>Your data stays in your school's own database; every change is recorded in its "
        "history.</p>"
        f"<p><small>Running on Python {platform.python_version()}, "
        f"Qt {qVersion()} (PySide6 {pyside_version}).</small></p>"
    )


def show_about(parent: QWidget | None) -> None:
    # QMessageBox.about shows the window's icon, which is the program's (ui.app).
    QMessageBox.about(parent, f"About {APPLICATION}", about_text())
