"""The ``planit-desktop`` command: no sub-command opens the window; sub-commands work headless.

Each sub-command lives in its own module of :mod:`planit_desktop.commands` and provides
``add_parser(subparsers)``, which sets ``func`` (taking the parsed arguments, returning the
exit status). Errors meant for the coordinator print one line and exit with their status
(2 for unusable input, 1 for a refusal); nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from planit_desktop import __version__

#: Said after Ctrl-C when the command had no more exact account to give.
STOPPED = (
    "stopped (Ctrl-C) before the command finished. Each change is one transaction, saved "
    "whole or not at all: `planit-desktop summary` shows where the school stands."
)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, carrying what the interrupted command had done, in the coordinator's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def add_db_option(parser: argparse.ArgumentParser, *, sub_command: bool = True) -> None:
    """``--db PATH|URL``: which school database to use (default: the one in the data folder).

    On a sub-command the option has no default of its own, so ``--db x summary`` (given before
    the command) is not overwritten by the sub-command's unset value.
    """
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS if sub_command else None,
        help="database file or SQLAlchemy URL (default: $PLANIT_DATABASE_URL, "
        "else planit.db in your user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planit-desktop",
        description="Plan-it Desktop: the year-end process and learner data for a school's "
        "Plan-it coordinator. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_db_option(parser, sub_command=False)
    from planit_desktop import commands

    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.add_parser(subparsers)
    return parser


def _window_only(argv: Sequence[str]) -> tuple[bool, str | None]:
    """``(True, db)`` when the arguments only open the window (nothing, or just ``--db``).

    Opening the window is by far the commonest start, so it skips building the parser, which
    imports every sub-command and the database layer before the window could be shown.
    """
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--db" and not argv[1].startswith("-"):
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--db="):
        return True, argv[0].removeprefix("--db=")
    return False, None


def main(argv: Sequence[str] | None = None) -> int:
    from planit_desktop.model.errors import PlanitError

    arguments = list(sys.argv[1:] if argv is None else argv)
    window_only, db_choice = _window_only(arguments)
    try:
        if window_only:
            from planit_desktop.ui.app import run_gui

            return run_gui(db_choice)
        args = build_parser().parse_args(arguments)
        func = getattr(args, "func", None)
        if func is None:
            from planit_desktop.ui.app import run_gui

            return run_gui(args.db)
        return int(func(args))
    except PlanitError as error:
        print(f"planit-desktop: {error.message}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt as stop:
        print(f"planit-desktop: {getattr(stop, 'message', None) or STOPPED}", file=sys.stderr)
        return 130
