"""Where the school database lives, and how a command-line or environment choice is resolved."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

APP_NAME = "planit-desktop"
APP_AUTHOR = "Plan-it"
ENV_DATABASE_URL = "PLANIT_DATABASE_URL"
#: The only addresses understood as URLs; anything else names a file, exactly as written.
_URL = re.compile(r"(postgresql(\+\w+)?://|sqlite:///)")


def default_data_dir() -> Path:
    """The per-user folder that holds the default database and its backups."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, APP_AUTHOR)


def default_database_path() -> Path:
    """The SQLite file used when neither --db nor PLANIT_DATABASE_URL names another."""
    return default_data_dir() / "planit.db"


def is_url(value: str) -> bool:
    """True for a database address: ``postgresql://…`` (with a driver: ``postgresql+psycopg://…``)
    or ``sqlite:///…``. Anything else, ``://`` or not, is a file path."""
    return _URL.match(value) is not None


def sqlite_url(path: str | Path) -> str:
    """The ``sqlite:///`` URL of the file at ``path``, taken literally.

    The path is made absolute and percent-encoded, so that a file called ``copy%20of.db``,
    ``a?b.db`` or ``#1.db`` is that file, and not ``copy of.db``, ``a`` or nothing.
    """
    return "sqlite:///" + quote(str(_absolute(Path(path).expanduser())), safe="/")


def _absolute(path: Path) -> Path:
    try:
        # Links are followed, so backups go beside the real file.
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of links: opening it says so in words
        return Path(os.path.abspath(path))


def resolve_database(choice: str | None = None) -> str:
    """Turn ``--db`` (a path or URL), else the environment, else the default, into a URL.

    Only ``postgresql…://`` and ``sqlite:///`` are URLs (see :func:`is_url`); any other text is
    a file path, with ``%``, ``?``, ``#`` and spaces as they are.
    """
    value = choice or os.environ.get(ENV_DATABASE_URL) or str(default_database_path())
    if is_url(value):
        return value
    return sqlite_url(value)


# A password in a URL's user part (scheme://user:PASSWORD@host) or in its query
# (?password=…): never shown, never logged. Everything that prints or logs a database
# address goes through hide_password; the log file's formatter applies it to every line too.
_URL_PASSWORD = re.compile(
    # The password runs to the last "@" before the host (a password may itself hold "@").
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*:)[^\s]*@(?P<host>[^\s@/?#]*)(?=[/?#\s]|$)"
)
_QUERY_PASSWORD = re.compile(r"(?i)(?P<head>[?&](?:password|passwd|pass)=)[^&#\s]*")
HIDDEN = "***"


def hide_password(text: str) -> str:
    """``text`` with the password of every database URL in it replaced by ``***``."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{HIDDEN}@{m['host']}", text)
    return _QUERY_PASSWORD.sub(lambda m: m["head"] + HIDDEN, text)
