"""Who is acting: a signed-in member of staff, or the founder of a new, empty school database."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from planit_desktop.model.kinds import StaffRole


@dataclass(frozen=True)
class Actor:
    """The member of staff on whose behalf a service acts. Recorded in every audit entry.

    Services trust only ``staff_id``: the role a service checks is the one the database holds
    for that member of staff now (:mod:`planit_desktop.model.services.permissions`), so an
    actor without a staff record is no one's administrator, whatever its ``role`` says.
    """

    login: str
    name: str
    role: StaffRole
    staff_id: int | None = None
    #: Set only by :meth:`founder`: may give a database with nobody who can sign in its school.
    founding: bool = False

    @property
    def is_administrator(self) -> bool:
        return self.role is StaffRole.ADMINISTRATOR

    @classmethod
    def founder(cls) -> Actor:
        """The person at the computer making a new school, before any member of staff exists.

        Recorded as ``os:<user>``. It may do only what a new, empty database needs and nobody
        could be signed in for: create the school (:func:`~planit_desktop.model.services.
        school.create_school`, refused once anyone can sign in) and build a demo school in an
        empty database. Every other service refuses it, since it has no staff record.
        """
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (containers)
            user = "unknown"
        return cls(login=f"os:{user}", name=user, role=StaffRole.ADMINISTRATOR, founding=True)
