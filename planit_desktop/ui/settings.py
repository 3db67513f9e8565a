"""Where the window remembers its size and layout (QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "Plan-it"
APPLICATION = "Plan-it Desktop"


def settings() -> QSettings:
    """The user's settings, in the default format: tests switch that to an INI file in a
    temporary folder (QSettings.setDefaultFormat/setPath), so they never touch the user's."""
    return QSettings(
        QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )
