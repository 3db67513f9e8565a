"""Where the school database lives, and how a command-line or environment choice is resolved."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "planit-desktop"
APP_AUTHOR = "Plan-it"
ENV_DATABASE_URL = "PLANIT_DATABASE_URL"


def default_data_dir() -> Path:
    """The per-user folder that holds the default database and its backups."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, APP_AUTHOR)


def default_database_path() -> Path:
    """The SQLite file used when neither --db nor PLANIT_DATABASE_URL names another."""
    return default_data_dir() / "planit.db"


def is_url(value: str) -> bool:
    """True for an SQLAlchemy URL such as ``postgresql+psycopg://…`` or ``sqlite:///…``."""
    return "://" in value


def resolve_database(choice: str | None = None) -> str:
    """Turn ``--db`` (a path or URL), else the environment, else the default, into a URL."""
    value = choice or os.environ.get(ENV_DATABASE_URL) or str(default_database_path())
    if is_url(value):
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())
