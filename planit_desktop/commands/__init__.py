"""Sub-commands of ``planit-desktop``: one module each, discovered by :mod:`planit_desktop.cli`."""

from __future__ import annotations

import argparse

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database


def open_for_command(args: argparse.Namespace, *, create: bool = False) -> Database:
    """Open the database named by ``--db`` (or the default) for a headless command."""
    from planit_desktop.config import resolve_database
    from planit_desktop.model.db import open_database

    return open_database(resolve_database(args.db), create=create)


def command_actor() -> Actor:
    """The command line acts, and is audited, as the operating-system user."""
    return Actor.operating_system_user()
