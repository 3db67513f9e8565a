"""Alembic migrations, run by the program itself when it opens a database.

``HEAD`` names the newest revision so that opening an up-to-date database needs no Alembic
import at all (start-up stays fast); a test checks it against the scripts.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

HEAD = "0007_joining"
FOLDER = Path(__file__).parent


def _config() -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    return config


def known_revisions() -> set[str]:
    """Every revision this program's scripts know."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())  # type: ignore[arg-type]
    return {script.revision for script in scripts.walk_revisions()}


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()  # type: ignore[arg-type]


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the schema up to ``target`` in one transaction."""
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection  # type: ignore[attr-defined]
        command.upgrade(config, target)  # type: ignore[arg-type]
