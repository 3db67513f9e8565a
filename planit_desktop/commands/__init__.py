"""Sub-commands of ``planit-desktop``: one module each, discovered by :mod:`planit_desktop.cli`."""

from __future__ import annotations

import argparse

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database


def open_for_command(args: argparse.Namespace, *, create: bool = False) -> Database:
    """Open the database named by ``--db`` (or the default) for a headless command."""
    from planit_desktop.config import resolve_database
    from planit_desktop.model.db import open_database

    database = open_database(resolve_database(args.db), create=create)
    report_unfinished(database)
    return database


def report_unfinished(database: Database) -> None:
    """Say (on standard error) what an interrupted change that issued passwords left, and
    finish it: put its password files in place if it was saved, or remove them if not."""
    import sys

    from planit_desktop.model.services.password_delivery import settle_at_start

    for message in settle_at_start(database):
        print(f"planit-desktop: {message}", file=sys.stderr)


def command_actor() -> Actor:
    """The command line acts, and is audited, as the operating-system user."""
    return Actor.operating_system_user()
