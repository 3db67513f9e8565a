"""Committing an import from the preview: passwords first, then one transaction.

Hashing the temporary passwords is the long part, so it runs first, on worker threads, with
a progress bar and Cancel; nothing is written meanwhile, and Cancel means nothing is
imported. Then ``import_learners`` writes the whole file in one transaction (refused, with
nothing written, if the school's learners changed in a way that matters). The clear-text
passwords stay in memory only, in the outcome handed to the passwords step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from planit_desktop.model.errors import Refused
from planit_desktop.model.services.importing import (
    CheckResult,
    Decision,
    ImportCancelled,
    ImportResult,
    hash_passwords_parallel,
    import_learners,
    plan_import,
)
from planit_desktop.ui import events, ops
from planit_desktop.ui.context import AppContext

CANCELLED = "The import was cancelled: nothing was imported."


class ImportCommit(QObject):
    """One press of Import: hash the passwords, then import, reporting how it ended."""

    #: The learners were imported (an ImportResult, holding the temporary passwords).
    sig_commit_succeeded = Signal(object)
    #: Nothing was imported; the message says why (a cancel included).
    sig_commit_failed = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        context: AppContext,
        checked: CheckResult,
        decisions: Mapping[int, Decision],
        *,
        source_name: str,
        skip_invalid: bool = False,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.context = context
        self.checked = checked
        self.decisions = dict(decisions)
        self.source_name = source_name
        self.skip_invalid = skip_invalid
        self.hashing: ops.Operation[Any] | None = None
        self.importing: ops.Operation[Any] | None = None
        self.passwords_needed = 0

    def start(self) -> None:
        """Plan (pure), then prepare the passwords in the background."""
        try:
            plan = plan_import(self.checked, self.decisions, skip_invalid=self.skip_invalid)
        except Refused as refused:
            self.sig_commit_failed.emit(refused.message)
            return
        needed = self.passwords_needed = plan.passwords_needed

        def work(progress: ops.Progress) -> list[tuple[str, str]]:
            return hash_passwords_parallel(
                needed,
                progress=lambda done, total: progress.report(
                    done, total, f"Preparing temporary passwords: {done:,} of {total:,}…"
                ),
                cancelled=lambda: progress.cancelled,
            )

        self.hashing = ops.run_task(
            self.parent_widget,
            work,
            on_success=self._hashed,
            on_failure=self._failed,
            progress_label=f"Preparing {needed:,} temporary passwords…",
            cancellable=True,
        )

    def cancel(self) -> None:
        """Cancel while the passwords are prepared: nothing will be imported."""
        if self.hashing is not None and not self.hashing.done:
            self.hashing.cancel()

    def _hashed(self, pairs: list[tuple[str, str]]) -> None:
        # (No look at the cancel flag here: closing the progress dialog sets it. A cancel
        # pressed in time was seen by hash_passwords_parallel, after its last batch too.)
        actor, checked, decisions = self.context.actor, self.checked, self.decisions
        source_name, skip_invalid = self.source_name, self.skip_invalid

        def write(session: Any, _progress: ops.Progress) -> ImportResult:
            return import_learners(
                session,
                actor,
                checked,
                decisions=decisions,
                password_pairs=pairs,
                source_name=source_name,
                skip_invalid=skip_invalid,
            )

        self.importing = self.context.run(
            self.parent_widget,
            write,
            write=True,
            changes={events.LEARNERS, events.GROUPS},
            on_success=self.sig_commit_succeeded.emit,
            on_failure=self._failed,
            progress_label=f"Importing {self.passwords_needed:,} learners…",
        )

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ImportCancelled | ops.Cancelled):
            self.sig_commit_failed.emit(CANCELLED)
        else:
            self.sig_commit_failed.emit(ops.describe_failure(error))
