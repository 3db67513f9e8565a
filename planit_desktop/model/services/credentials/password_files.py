"""The files a coordinator chooses for passwords: where a password list and slips are to be
saved (:class:`PasswordFiles`, checked before any password is made), and another copy of
passwords already issued, saved later (:func:`write_password_copy`).

The passwords themselves are delivered into those files by
:mod:`~planit_desktop.model.services.credentials.delivery`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.errors import Refused
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.permissions import require_staff


@dataclass(frozen=True)
class PasswordFiles:
    """Where the coordinator chose to save the passwords: a list (.xlsx), slips (.pdf), or both."""

    password_list: Path | None = None
    slips: Path | None = None
    #: Start each tutor group's slips on a new page (else they follow on, under headings).
    new_page_per_group: bool = False

    def targets(self) -> list[tuple[str, Path]]:
        """(what, path) of each file asked for, the list first."""
        chosen = [("password list", self.password_list), ("password slips", self.slips)]
        return [(what, Path(path)) for what, path in chosen if path is not None]

    def describe(self) -> str:
        """ "the password list and the password slips" (for messages)."""
        return " and ".join(f"the {what}" for what, _ in self.targets())

    def check_writable(self, nothing: str = "No password was issued.") -> None:
        """Refuse at once (before passwords are hashed) a folder that cannot be written to.

        Only a first look: the files themselves are written, and any failure then refuses
        the change, when the passwords are issued.
        """
        for what, path in self.targets():
            folder = path.parent
            if not folder.is_dir():
                raise Refused(
                    f"The {what} cannot be saved: the folder {folder} does not exist. "
                    f"{nothing} Choose another folder."
                )
            if path.is_dir():
                raise Refused(
                    f"The {what} cannot be saved as {path}: that is a folder. {nothing} "
                    "Choose another name."
                )
            probe = folder / f".planit-probe-{secrets.token_hex(4)}"
            try:
                probe.open("xb").close()
                probe.unlink()
            except OSError as error:
                raise Refused(
                    f"The {what} cannot be saved in {folder}: {error.strerror or error}. "
                    f"{nothing} Choose a folder you can write to."
                ) from error


def write_password_copy(
    session: Session,
    actor: Actor,
    path: Path,
    rows: Sequence[PasswordRow],
    *,
    slips: bool = False,
    school_name: str = "",
    secondary: bool = False,
    new_page_per_group: bool = False,
) -> Path:
    """Save another copy of passwords already issued (and delivered), audited with its path.

    In the caller's transaction: the file is written first, then the audit entry is added.
    Any active member of staff may save a copy of the passwords they were just given (a
    supervisor the slip of a learner they created in class).
    """
    require_staff(session, actor, "save a copy of learners' passwords")
    from planit_desktop.model.services.credentials.outputs import (
        write_password_list,
        write_password_slips,
    )

    if slips:
        written = write_password_slips(
            path,
            rows,
            school_name=school_name,
            secondary=secondary,
            new_page_per_group=new_page_per_group,
        )
    else:
        written = write_password_list(path, rows, secondary=secondary)
    what = "password slips" if slips else "password list"
    audit.file_written(session, actor, what=f"{what} (a copy)", path=written, rows=len(rows))
    return written
