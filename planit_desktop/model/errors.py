"""Errors a coordinator may see. Each message is written in the coordinator's words."""

from __future__ import annotations


class PlanitError(Exception):
    """Base of every error whose message is fit to show a coordinator as it is."""

    #: Exit status of the command line for this kind of error.
    exit_status = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(PlanitError):
    """What the coordinator typed or chose cannot be used (exit status 2)."""

    exit_status = 2


class Refused(PlanitError):
    """A rule of the school year forbids this now (already done, too early, a clash)."""

    exit_status = 1


class NotFound(Refused):
    """The learner, group, staff member or run asked for does not exist."""


class StaleRecord(Refused):
    """Someone else changed the record after it was opened; nothing was overwritten."""

    def __init__(self, message: str, current: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.current = current or {}


class PermissionDenied(Refused):
    """The signed-in member of staff may not do this. The attempt is audited."""

    def __init__(self, message: str, *, actor_login: str, action: str) -> None:
        super().__init__(message)
        self.actor_login = actor_login
        self.action = action


class DatabaseUnavailable(PlanitError):
    """The database cannot be opened or used: not a database, locked, missing, too new."""

    exit_status = 2


class NewerSchema(DatabaseUnavailable):
    """The database was written by a newer Plan-it Desktop; it is left untouched."""
