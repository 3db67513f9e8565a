"""Who is acting: a signed-in member of staff, or the operating-system user at the command line."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from planit_desktop.model.entities import StaffRole


@dataclass(frozen=True)
class Actor:
    """The member of staff on whose behalf a service acts. Recorded in every audit entry."""

    login: str
    name: str
    role: StaffRole
    staff_id: int | None = None

    @property
    def is_administrator(self) -> bool:
        return self.role is StaffRole.ADMINISTRATOR

    @classmethod
    def operating_system_user(cls) -> Actor:
        """The command line acts as the person logged in to the computer, as an administrator.

        Whoever can run the program on a database file can already change that file, so the
        command line does not pretend otherwise; it records who it was.
        """
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (containers)
            user = "unknown"
        return cls(login=f"os:{user}", name=user, role=StaffRole.ADMINISTRATOR)
