"""The trust set-up the README describes: an owner role creates and upgrades the tables, and
every coordinator's PC connects as a role that may only read and write rows. Everything a
coordinator does works with those rights, the role cannot alter or drop a table, and a
database the program would have to create gives a clear message instead of a traceback."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_support import PostgresServer, make_demo_school
from sign_in_support import CommandLineSignIn
from sqlalchemy import text
from sqlalchemy.engine import make_url
from test_import_support import learner, write_xlsx

from planit_desktop.cli import main
from planit_desktop.model.db import open_database
from planit_desktop.model.errors import PlanitError

#: The statements of the README's "A shared PostgreSQL database", for database {db}.
GRANTS = (
    "GRANT CONNECT ON DATABASE {db} TO {role}",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
)


@pytest.fixture
def app_role(postgres_server: PostgresServer) -> Iterator[str]:
    """A login role with no rights of its own (roles belong to the whole server)."""
    role = f"planit_app_{secrets.token_hex(4)}"
    with postgres_server.admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'app-pass'"))
    yield role
    with postgres_server.admin.connect() as connection:
        connection.execute(text(f"DROP OWNED BY {role}"))
        connection.execute(text(f"DROP ROLE {role}"))


def _grant(server: PostgresServer, name: str, role: str) -> None:
    # GRANT … ON ALL TABLES needs a connection to the database itself.
    database = open_database(server.url_for(name), migrate=False)
    try:
        with database.engine.connect() as connection:
            for statement in GRANTS:
                connection.execute(text(statement.format(db=f'"{name}"', role=role)))
            connection.commit()
    finally:
        database.dispose()


def _as_role(server: PostgresServer, name: str, role: str) -> str:
    url = make_url(server.url_for(name)).set(username=role, password="app-pass")
    return url.render_as_string(hide_password=False)


@pytest.fixture
def school(postgres_server: PostgresServer, postgres_template: str, app_role: str) -> Iterator[str]:
    """A demo school made by the owner (here the server's administrator); dropped before the
    role, whose grants it holds."""
    name = make_demo_school(postgres_server, postgres_template, learners=300, seed=5)
    yield name
    postgres_server.drop_database(name)


def test_a_coordinator_role_with_row_rights_only_does_everything(
    postgres_server: PostgresServer,
    school: str,
    app_role: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    _grant(postgres_server, school, app_role)
    url = _as_role(postgres_server, school, app_role)
    assert main(["summary", "--db", url]) == 0
    assert main(["rollover", "--db", url, "--apply"]) == 0
    assert main(["rollover", "--db", url, "--undo"]) == 0
    path = write_xlsx(tmp_path / "new.xlsx", [learner(1), learner(2)])
    out = tmp_path / "passwords.xlsx"
    assert main(["import-learners", str(path), "--db", url, "--passwords-out", str(out)]) == 0
    assert out.exists()
    capsys.readouterr()

    database = open_database(url)
    try:
        with pytest.raises(Exception, match="must be owner"):  # noqa: PT011 (the driver's own)
            with database.engine.connect() as connection:
                connection.execute(text("DROP TABLE audit_entry"))
    finally:
        database.dispose()


def test_a_database_the_role_cannot_set_up_is_refused_clearly(
    postgres_server: PostgresServer, app_role: str
) -> None:
    name = postgres_server.create_database()
    try:
        # Since PostgreSQL 15 nobody but the owner creates tables in the public schema.
        _grant(postgres_server, name, app_role)
        with pytest.raises(PlanitError) as refused:
            open_database(_as_role(postgres_server, name, app_role))
        message = str(refused.value)
        assert "permission" in message.lower() and "owner" in message.lower()
        assert "SELECT" not in message and "Traceback" not in message
    finally:
        postgres_server.drop_database(name)
