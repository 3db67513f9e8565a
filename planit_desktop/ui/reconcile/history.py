"""Edit ▸ Undo for an applied comparison with the MIS: the whole apply undone in one step
(:func:`undo_reconciliation`), and redone as one (see :mod:`planit_desktop.ui.undo`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor
    from planit_desktop.model.services.reconcile import ApplyPlan, ApplyResult
    from planit_desktop.ui.undo import Undoable


@dataclass(frozen=True)
class MisCheckEntry:
    """An apply committed: undone through the same services, in one transaction."""

    result: ApplyResult

    @property
    def description(self) -> str:
        return f"MIS check ({self.result.describe()})"

    def reverse(self, session: Any, actor: Actor) -> Undoable:
        from planit_desktop.model.services.reconcile import undo_reconciliation

        return MisCheckRedo(self.description, undo_reconciliation(session, actor, self.result))


@dataclass(frozen=True)
class MisCheckRedo:
    """An apply undone: applied again as it was."""

    description: str
    plan: ApplyPlan

    def reverse(self, session: Any, actor: Actor) -> Undoable:
        from planit_desktop.model.services.reconcile import apply_reconciliation

        return MisCheckEntry(apply_reconciliation(session, actor, self.plan))
