"""The ``planit-desktop`` command: no sub-command opens the window; sub-commands work headless.

Each sub-command lives in its own module of :mod:`planit_desktop.commands` and provides
``add_parser(subparsers)``, which sets ``func`` (taking the parsed arguments, returning the
exit status). Errors meant for the coordinator print one line and exit with their status
(2 for unusable input, 1 for a refusal); nothing prints a traceback. Output whose reader has
gone (``summary | head -1``) is dropped quietly: the command still finishes what it was
doing, and exits with the status it would have had.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from planit_desktop import __version__, commands
from planit_desktop.commands import add_db_option

#: Said after Ctrl-C when the command had no more exact account to give.
STOPPED = (
    "stopped (Ctrl-C) before the command finished. Each change is one transaction, saved "
    "whole or not at all: `planit-desktop summary` shows where the school stands."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planit-desktop",
        description="Plan-it Desktop: the year-end process and learner data for a school's "
        "Plan-it coordinator. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_db_option(parser, sub_command=False)
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


#: A hidden option for checking an installed build: open the window (offscreen unless
#: QT_QPA_PLATFORM says otherwise) on the database given with ``--db``, wait for the sign-in
#: dialog, quit, and exit 0 only if it was shown. Given alone or with ``--db``.
SMOKE_TEST = "--smoke-test"


class QuietWhenClosed:
    """``sys.stdout`` or ``sys.stderr``, dropping what is written once its reader has gone.

    A command piped into ``head -1`` finds the pipe closed after the first line. Stopping
    then, with a BrokenPipeError, would cut a command short between steps (an import between
    its commit and its password list); so the rest of the output is dropped instead and the
    command finishes as it would have.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self.stream.write(text)
            except OSError as error:
                self._gone_or_raise(error)
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self.stream.flush()
            except OSError as error:
                self._gone_or_raise(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def _gone_or_raise(self, error: OSError) -> None:
        # Windows reports a closed pipe as EINVAL.
        if not isinstance(error, BrokenPipeError) and not (
            os.name == "nt" and error.errno == errno.EINVAL
        ):
            raise error
        self.reader_gone = True
        try:
            # Python flushes the stream once more on exit: let that go to the null device.
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, self.stream.fileno())
            finally:
                os.close(null)
        except (OSError, ValueError, AttributeError):
            pass  # not a file (a test's capture): nothing is flushed at exit


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    smoke_test = SMOKE_TEST in arguments
    if smoke_test:
        arguments.remove(SMOKE_TEST)
    window_only, db_choice = _window_only(arguments)
    if smoke_test and not window_only:
        print(f"planit-desktop: {SMOKE_TEST} takes no other option than --db", file=sys.stderr)
        return 2
    if window_only:
        return _run(arguments, window_only, db_choice, smoke_test=smoke_test)
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = QuietWhenClosed(stdout)
    sys.stderr = QuietWhenClosed(stderr)
    try:
        status = _run(arguments, window_only, db_choice)
        sys.stdout.flush()  # a reader gone after the last line is found now, not at exit
        sys.stderr.flush()
        return status
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _run(
    arguments: list[str], window_only: bool, db_choice: str | None, *, smoke_test: bool = False
) -> int:
    from planit_desktop.model.errors import PlanitError

    try:
        if window_only:
            from planit_desktop.ui.app import run_gui

            return run_gui(db_choice, smoke_test=True) if smoke_test else run_gui(db_choice)
        args = build_parser().parse_args(arguments)
        func = getattr(args, "func", None)
        if func is None:
            from planit_desktop.ui.app import run_gui

            return run_gui(args.db)
        return int(func(args))
    except PlanitError as error:
        print(f"planit-desktop: {error.message}", file=sys.stderr)
        return error.exit_status
    except OSError as error:
        # A file the coordinator named that the command could not use; said, not traced.
        where = f"{error.filename}: " if error.filename else ""
        print(f"planit-desktop: {where}{error.strerror or error}.", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        print(f"planit-desktop: {getattr(stop, 'message', None) or STOPPED}", file=sys.stderr)
        return 130
