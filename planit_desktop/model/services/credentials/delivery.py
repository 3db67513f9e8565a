"""Passwords are delivered or never issued: the files that hold them are written first.

A temporary or secondary password exists in clear nowhere but in the password list or the
slips written for the coordinator; the database keeps only a hash that cannot be turned back.
So a change that issues passwords (an import, secondary passwords, a slip for a learner made
in class) goes like this, with a :class:`PasswordDelivery`::

    delivery = PasswordDelivery(files, what="import of new learners from new.xlsx",
                                database=database.location)
    with delivery:                               # moves the files, or removes them, at the end
        with database.begin() as session:
            ...                                  # the service stores the hashes and calls
            delivery.stage(session, actor, rows) # ... this: files written, synced, audited
    delivery.saved                               # where the files are now

1. Inside the transaction, before anything is committed, a note is written in the user's data
   folder (:func:`notes_folder`) naming the files, then every file is written completely,
   flushed and synced under a *staged* name beside the chosen one ("… (being saved 1a2b3c4d)
   .xlsx"). If a file cannot be written, :class:`Refused` says why, the transaction is rolled
   back, and no password is issued.
2. The transaction commits (the audit says which files were written, staged where).
3. The files are moved into place, and the note removed. If the commit failed, the staged files
   and the note are removed instead.

If the program dies between 1 and 3, the note stays. The next start on that database
(:mod:`~planit_desktop.model.services.credentials.unfinished`, from the window and
from every command) takes the school row's
lock, so that no change it could confuse is still under way, and asks the audit whether the
change was committed: if it was, it finishes the move; if not, it removes the staged files.
Either way it says what happened.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from planit_desktop.model import stages
from planit_desktop.model.actor import Actor
from planit_desktop.model.errors import Refused
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials.outputs import (
    PasswordRow,
    password_list_bytes,
    password_slips_bytes,
)
from planit_desktop.model.services.credentials.password_files import PasswordFiles
from planit_desktop.model.services.school import get_school

#: The audit action naming a delivery's token and its staged and final files.
STAGED_ACTION = "password_files_staged"
NOTES_FOLDER = "unfinished password files"


def notes_folder() -> Path:
    """Where the notes of deliveries not yet finished are kept: the user's data folder."""
    from planit_desktop.config import default_data_dir

    return default_data_dir() / NOTES_FOLDER


class DeliveryState(enum.Enum):
    """Where a delivery stands; it only moves forward (or back to NEW on a rollback)."""

    NEW = "new"  # nothing written yet
    STAGED = "staged"  # files complete under their staged names; not committed
    COMMITTING = "committing"  # the COMMIT has begun: its outcome is not known yet
    COMMITTED = "committed"  # the hashes are stored; the files are still staged
    DELIVERED = "delivered"  # the files are in place (or where ``saved`` says)
    DISCARDED = "discarded"  # nothing was committed; the staged files are gone


@dataclass(frozen=True)
class StagedFile:
    """One file of a delivery: what it is, where it goes, where it is written first."""

    what: str
    final: Path
    staged: Path


def staged_name(final: Path, token: str) -> Path:
    """ "passwords.xlsx" → "passwords (being saved 1a2b3c4d).xlsx", beside it."""
    return final.with_name(f"{final.stem} (being saved {token}){final.suffix}")


class PasswordDelivery:
    """The password files of one change: staged before its commit, moved into place after."""

    def __init__(
        self,
        files: PasswordFiles,
        *,
        what: str,
        database: str,
        school_name: str = "",
        secondary: bool = False,
        nothing: str = "No password was issued.",
        notes: Path | None = None,
    ) -> None:
        if not files.targets():
            raise Refused("Choose where to save the password list or the slips first.")
        self.token = secrets.token_hex(4)
        self.what = what
        self.database = database
        self.school_name = school_name
        self.secondary = secondary
        self.nothing = nothing
        self.notes = notes if notes is not None else notes_folder()
        self.files = tuple(
            StagedFile(what_, final, staged_name(final, self.token))
            for what_, final in files.targets()
        )
        self.new_page_per_group = files.new_page_per_group
        self.state = DeliveryState.NEW
        self.started = datetime.now().replace(microsecond=0)
        #: Where each file is once delivered (its chosen place, or where it had to stay).
        self.saved: list[Path] = []
        #: What went wrong moving a file into place (it is complete where ``saved`` says).
        self.problems: list[str] = []
        self.rows = 0
        #: Called just before the COMMIT, where raising rolls the change back: the command
        #: line's last look for a Ctrl-C whose signal could not be raised where it came.
        self.before_commit: Callable[[], None] | None = None

    # --- inside the transaction -------------------------------------------------------------
    def stage(self, session: Session, actor: Actor, rows: Sequence[PasswordRow]) -> None:
        """Write every file, complete and synced, under its staged name; audit them.

        Called by the service inside the transaction that stores the passwords' hashes,
        once it knows every row. Takes the school row's lock first (so that the next start
        can tell a change still under way from one that died). Raises :class:`Refused`, with
        nothing left behind, when a file cannot be written.
        """
        if self.state is not DeliveryState.NEW:
            raise RuntimeError("a delivery is staged once")
        get_school(session, lock=True)
        event.listen(session, "before_commit", self._before_commit)
        event.listen(session, "after_commit", self._after_commit)
        event.listen(session, "after_rollback", self._after_rollback)
        self.rows = len(rows)
        where = self.files[0]
        try:
            self._write_note()
            for index, file in enumerate(self.files):
                where = file
                self._check_place(file)
                data = (
                    password_list_bytes(rows, secondary=self.secondary)
                    if file.what == "password list"
                    else password_slips_bytes(
                        rows,
                        school_name=self.school_name,
                        secondary=self.secondary,
                        new_page_per_group=self.new_page_per_group,
                    )
                )
                _write_synced(file.staged, data, pause=index == 0)
        except OSError as error:
            self._remove_staged()
            raise Refused(
                f"The {where.what} could not be saved in {where.final.parent}: "
                f"{error.strerror or error}. {self.nothing} Choose a folder you can write to "
                "(not one that is read-only or full) and try again."
            ) from error
        except BaseException:
            self._remove_staged()
            raise
        self.state = DeliveryState.STAGED
        for file in self.files:
            audit.file_written(session, actor, what=file.what, path=file.final, rows=len(rows))
        audit.record(
            session,
            actor,
            STAGED_ACTION,
            entity=audit.FILE,
            new=self.token,
            detail=f"{self.what}: "
            + "; ".join(
                f"{f.what} staged as {f.staged}, then moved to {f.final}" for f in self.files
            ),
        )

    def _check_place(self, file: StagedFile) -> None:
        folder = file.final.parent
        if not folder.is_dir():
            raise Refused(
                f"The {file.what} could not be saved: the folder {folder} does not exist. "
                f"{self.nothing} Choose another folder."
            )
        if file.final.is_dir():
            raise Refused(
                f"The {file.what} could not be saved as {file.final}: that is a folder. "
                f"{self.nothing} Choose another name."
            )

    def _write_note(self) -> None:
        try:
            self.notes.mkdir(parents=True, exist_ok=True)
            note = self.notes / f"{self.token}.json"
            partial = note.with_suffix(".part")
            record = {
                "token": self.token,
                "database": self.database,
                "what": self.what,
                "started": self.started.isoformat(),
                "files": [
                    {"what": f.what, "staged": str(f.staged), "final": str(f.final)}
                    for f in self.files
                ],
            }
            _write_synced(partial, json.dumps(record, indent=1).encode(), pause=False)
            os.replace(partial, note)
            _sync_folder(self.notes)
        except OSError as error:
            raise Refused(
                f"Plan-it could not keep its note of the password files in {self.notes} "
                f"({error.strerror or error}), so it could not say where they are if it "
                f"stopped half-way. {self.nothing} Make that folder writable and try again."
            ) from error

    def _before_commit(self, _session: Session) -> None:
        if self.state is DeliveryState.STAGED and self.before_commit is not None:
            self.before_commit()
        if self.state is DeliveryState.STAGED:
            self.state = DeliveryState.COMMITTING
            stages.reached("committing")

    def _after_commit(self, _session: Session) -> None:
        if self.state is DeliveryState.COMMITTING:
            self.state = DeliveryState.COMMITTED

    def _after_rollback(self, _session: Session) -> None:
        if self.state in (DeliveryState.STAGED, DeliveryState.COMMITTING):
            self.state = DeliveryState.NEW  # nothing was stored: discarded on leaving

    # --- after the transaction --------------------------------------------------------------
    def __enter__(self) -> PasswordDelivery:
        return self

    def __exit__(self, *_exception: object) -> None:
        if self.state is DeliveryState.COMMITTED:
            self.finish()
        elif self.state in (DeliveryState.NEW, DeliveryState.STAGED):
            self.discard()
        # COMMITTING: the connection broke during COMMIT, so whether it was saved is not
        # known here. The note stays: the next start asks the database and settles it.

    @property
    def committed(self) -> bool:
        """True once the passwords are stored (the files are, or are being, put in place)."""
        return self.state in (DeliveryState.COMMITTED, DeliveryState.DELIVERED)

    def finish(self) -> list[Path]:
        """After the commit: move each file into place; then forget the note."""
        stages.reached("committed")
        for index, file in enumerate(self.files):
            if index:
                stages.reached("moving")
            where, problem = move_into_place(file)
            self.saved.append(where)
            if problem:
                self.problems.append(problem[0].upper() + problem[1:] + ".")
        stages.reached("moved")
        self._remove_note()
        self.state = DeliveryState.DELIVERED
        return self.saved

    def discard(self) -> None:
        """Nothing was committed: remove the staged files and the note."""
        self._remove_staged()
        self.state = DeliveryState.DISCARDED

    def _remove_staged(self) -> None:
        for file in self.files:
            with contextlib.suppress(OSError):
                file.staged.unlink(missing_ok=True)
        self._remove_note()

    def _remove_note(self) -> None:
        with contextlib.suppress(OSError):
            (self.notes / f"{self.token}.json").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            (self.notes / f"{self.token}.part").unlink(missing_ok=True)


def _write_synced(path: Path, data: bytes, *, pause: bool) -> None:
    """Write ``data`` to a new file readable by its owner only, flushed and synced to disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        half = len(data) // 2
        handle.write(data[:half])
        if pause:
            handle.flush()
            stages.reached("writing")
        handle.write(data[half:])
        handle.flush()
        os.fsync(handle.fileno())
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a new name in ``folder`` survive a power cut (POSIX; Windows has no such call)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def is_or_are(what: str) -> str:
    """The verb for a file named ``what``: the slips are, the list is."""
    return "are" if what.endswith("slips") else "is"


def move_into_place(file: StagedFile) -> tuple[Path, str | None]:
    """(where the file is now, a problem to report or None)."""
    try:
        os.replace(file.staged, file.final)
        _sync_folder(file.final.parent)
        return file.final, None
    except OSError as error:
        reason = error.strerror or str(error)
    # The chosen name is taken by a file open in another program (Windows), or the folder
    # changed: keep the complete file beside it under a name that says what it is.
    stamp = datetime.now().strftime("%Y-%m-%d %H-%M-%S")
    spare = file.final.with_name(f"{file.final.stem} ({stamp}){file.final.suffix}")
    try:
        os.replace(file.staged, spare)
        where = spare
    except OSError:
        where = file.staged
    return where, (
        f"the {file.what} could not be put in place as {file.final} ({reason}); "
        f"{'they are' if is_or_are(file.what) == 'are' else 'it is'} complete, saved as {where}"
    )
