"""What the signed-in person may use, said in words: one helper and one banner for every tab.

Services enforce the roles; the GUI only shows each person what they may use and, where
something is unavailable, says why (issue 4: "says why something is unavailable").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from planit_desktop.ui.common.styles import State, mark

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor


def role_name(actor: Actor) -> str:
    """'an administrator' or 'a supervisor', as the sentences here need it."""
    return "an administrator" if actor.is_administrator else "a supervisor"


def explain_unavailable(actor: Actor, what: str) -> str | None:
    """Why ``actor`` cannot ``what`` (e.g. "change staff access"), or None if they can.

    >>> explain_unavailable(supervisor, "change staff access")
    'Only administrators can change staff access. You are signed in as a supervisor.'
    """
    if actor.is_administrator:
        return None
    return f"Only administrators can {what}. You are signed in as {role_name(actor)}."


def signed_in_text(actor: Actor) -> str:
    """The status bar's 'Signed in as …' line."""
    role = "administrator" if actor.is_administrator else "supervisor"
    return f"Signed in as {actor.name} ({actor.login}, {role})"


class RoleBanner(QLabel):
    """A plain, visible note at the top of a tab saying what is unavailable and why.

    Hidden when there is nothing to explain, so a tab can always add one.
    """

    def __init__(self, actor: Actor, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("role_note")
        self.setWordWrap(True)
        # A soft frame tinted from the palette, so it reads on light and dark alike.
        mark(self, State.WARNING, kind="banner")
        self.set_reason(explain_unavailable(actor, what))

    def set_reason(self, reason: str | None) -> None:
        """Show ``reason`` (or hide the banner when None)."""
        self.setText(reason or "")
        self.setVisible(bool(reason))


def disable_with_reason(widgets: list[QWidget], reason: str | None) -> None:
    """Disable ``widgets`` when ``reason`` is given, with the reason as their tooltip."""
    for widget in widgets:
        widget.setEnabled(reason is None)
        if reason is not None:
            widget.setToolTip(reason)
