"""What every tab and dialog works with: the open database, who is acting, and the events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtWidgets import QWidget

from planit_desktop.ui import ops
from planit_desktop.ui.events import DataEvents

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor

T = TypeVar("T")


@dataclass(frozen=True)
class AppContext:
    """Passed explicitly to each tab; nothing reaches for a global application object."""

    database: Any  # planit_desktop.model.db.Database (ui/ does not import sqlalchemy)
    actor: Actor
    events: DataEvents

    def run(
        self,
        parent: QWidget | None,
        fn: Callable[[Any, ops.Progress], T],
        *,
        write: bool = False,
        on_success: Callable[[T], object] | None = None,
        on_failure: Callable[[BaseException], object] | None = None,
        progress_label: str | None = None,
        cancellable: bool = False,
    ) -> ops.Operation[T]:
        """:func:`ops.run_op` on this context's database; what it changed (as its audit
        entries say) is announced on this context's events."""
        return ops.run_op(
            parent,
            self.database,
            fn,
            write=write,
            events=self.events,
            on_success=on_success,
            on_failure=on_failure,
            progress_label=progress_label,
            cancellable=cancellable,
        )
