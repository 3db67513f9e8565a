"""Committing an import from the preview: passwords first, then one transaction with the files.

Hashing the temporary passwords is the long part, so it runs first, on worker threads, with
a progress bar and Cancel; nothing is written meanwhile, and Cancel means nothing is
imported. Then ``import_learners`` writes the whole file in one transaction (refused, with
nothing written, if the school's learners or academic year changed in a way that matters),
and the password list and slips, chosen before Import was pressed, are written and synced
before that transaction commits and put in place after it (a
:class:`~planit_desktop.model.services.credentials.delivery.PasswordDelivery`): learners are
never imported with passwords that could be lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from planit_desktop.model.errors import PlanitError, Refused
from planit_desktop.model.services.credentials.delivery import DeliveryState, PasswordDelivery
from planit_desktop.model.services.credentials.password_files import PasswordFiles
from planit_desktop.model.services.importing import (
    CheckResult,
    Decision,
    ImportCancelled,
    ImportResult,
    hash_passwords_parallel,
    import_learners,
    plan_import,
)
from planit_desktop.ui import ops
from planit_desktop.ui.context import AppContext

CANCELLED = "The import was cancelled: nothing was imported."
NOTHING = "Nothing was imported."


@dataclass(frozen=True)
class ImportOutcome:
    """An import done, and where its password files are (the ImportResult holds the rows)."""

    result: ImportResult
    saved: tuple[Path, ...]
    problems: tuple[str, ...]

    @property
    def imported(self) -> int:
        return self.result.imported


class ImportCommit(QObject):
    """One press of Import: hash the passwords, then import with the files, saying how it ended."""

    #: The learners were imported and their password files saved (an ImportOutcome).
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
        files: PasswordFiles,
        school_name: str = "",
        skip_invalid: bool = False,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.context = context
        self.checked = checked
        self.decisions = dict(decisions)
        self.source_name = source_name
        self.files = files
        self.school_name = school_name
        self.skip_invalid = skip_invalid
        self.hashing: ops.Operation[Any] | None = None
        self.importing: ops.Operation[Any] | None = None
        self.passwords_needed = 0

    def start(self) -> None:
        """Plan (pure), look at the chosen folder, then prepare the passwords in the background."""
        try:
            plan = plan_import(self.checked, self.decisions, skip_invalid=self.skip_invalid)
        except Refused as refused:
            self.sig_commit_failed.emit(refused.message)
            return
        needed = self.passwords_needed = plan.passwords_needed
        files = self.files

        def work(progress: ops.Progress) -> list[tuple[str, str]]:
            # A folder that cannot be written is said before minutes of hashing, not after.
            files.check_writable(NOTHING)
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
        database = self.context.database
        delivery = PasswordDelivery(
            self.files,
            what=f"import of new learners from {source_name}",
            database=database.location,
            school_name=self.school_name,
            nothing=NOTHING,
        )

        def write(_progress: ops.Progress) -> ImportOutcome:
            try:
                with delivery, database.begin() as session:
                    result = import_learners(
                        session,
                        actor,
                        checked,
                        decisions=decisions,
                        password_pairs=pairs,
                        source_name=source_name,
                        skip_invalid=skip_invalid,
                        delivery=delivery,
                    )
            except Exception as error:
                if delivery.state is DeliveryState.COMMITTING:
                    said = (
                        error.message
                        if isinstance(error, PlanitError)
                        else "The import stopped while it was being saved."
                    )
                    raise Refused(f"{said} {UNKNOWN}") from error
                raise
            return ImportOutcome(result, tuple(delivery.saved), tuple(delivery.problems))

        self.importing = ops.run_task(
            self.parent_widget,
            write,
            events=self.context.events,
            on_success=self.sig_commit_succeeded.emit,
            on_failure=self._failed,
            progress_label=f"Importing {self.passwords_needed:,} learners and saving their "
            "passwords…",
        )

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ImportCancelled | ops.Cancelled):
            self.sig_commit_failed.emit(CANCELLED)
        else:
            self.sig_commit_failed.emit(ops.describe_failure(error))


#: Said when the connection broke during the COMMIT itself.
UNKNOWN = (
    "Whether the import was saved is not known yet: when Plan-it next opens this database it "
    "will say, and put the password files in place if it was."
)
