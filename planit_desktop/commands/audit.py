"""``planit-desktop audit --verify [--db …] [--json]``: is the audit log whole?

Reads every audit entry and checks it against its hash and the entry before it (see
:mod:`planit_desktop.model.services.audit`); changes nothing, not even the schema of an older
database. Exit status: 0 whole; 1 a broken link, named (entry number, when, who, what, and
what is wrong); 2 a database that cannot be checked.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from planit_desktop.commands import add_db_option
from planit_desktop.model.errors import DatabaseUnavailable, InvalidInput

if TYPE_CHECKING:
    from planit_desktop.model.db import Database


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="check that the audit log is whole (--verify)",
        description="Check every entry of the audit log against its hash and the entry "
        "before it: an entry changed, deleted or added outside the program shows as the first "
        "broken link. Changes nothing. Exit status 0 when whole, 1 when broken.",
    )
    add_db_option(parser)
    parser.add_argument(
        "--verify", action="store_true", help="check the whole chain of audit entries"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planit_desktop.config import resolve_database
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.audit_check import verify_chain

    if not args.verify:
        raise InvalidInput("Say what to do with the audit log: audit --verify.")
    # Not migrated: checking must not change the database, not even its schema.
    database = open_database(resolve_database(args.db), create=False, migrate=False)
    try:
        _refuse_other_schemas(database)
        with database.read() as session:
            check = verify_chain(session)
    finally:
        database.dispose()
    if args.json:
        print(json.dumps(check.to_json(), indent=2, ensure_ascii=False))
    elif check.broken is None:
        print(
            f"The audit log is whole: {check.entries:,} entries, each checked against its "
            "hash and the one before it."
        )
        print(f"Newest: number {check.head_seq:,} in the chain, hash {check.head_hash}")
    else:
        print(f"The audit log is not whole: {check.broken.describe()}.")
        if check.head_seq:
            print(f"The first {check.head_seq:,} entries of the chain are whole.")
    return 0 if check.whole else 1


def _refuse_other_schemas(database: Database) -> None:
    from planit_desktop.model import migrations
    from planit_desktop.model.db import current_revision

    revision = current_revision(database.engine)
    if revision == migrations.HEAD:
        return
    if revision is None:
        raise DatabaseUnavailable(f"{database.location} is not a Plan-it database.")
    if revision not in migrations.known_revisions():
        raise DatabaseUnavailable(
            f"The database at {database.location} was written by a newer version of Plan-it "
            "Desktop; check it with that version."
        )
    raise DatabaseUnavailable(
        f"The database at {database.location} is from an older version of Plan-it Desktop, "
        "whose audit log has no chain to check. Open it once with this version (which "
        "chains the entries already there), then check it."
    )
