"""The trust set-up the README describes: an owner role creates and upgrades the tables, and
every coordinator's PC connects as a role that may only read and write rows, and only add and
read audit entries. Everything a coordinator does works with those rights, the role cannot
alter or drop a table, nor change or delete an audit entry, and a database the program would
have to create gives a clear message instead of a traceback."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from planit_desktop.cli import main
from planit_desktop.model.db import open_database
from planit_desktop.model.entities import AuditEntry, Learner
from planit_desktop.model.errors import PlanitError
from planit_desktop.model.services.audit import REDACTED
from planit_desktop.model.services.learners.leavers import mark_left, remove_old_leavers_data
from tests.support.import_files import learner, write_xlsx
from tests.support.postgres import PostgresServer, make_demo_school
from tests.support.sign_in import CommandLineSignIn, staff_actor

#: The statements of the README's "A shared PostgreSQL database", for database {db}.
GRANTS = (
    "GRANT CONNECT ON DATABASE {db} TO {role}",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry FROM {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
)
README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_grants_are_the_readmes() -> None:
    """What this file grants is, statement for statement, what the README tells IT to run."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("coordinators' role its rights") :]
    block = block[
        block.index("```sql") + len("```sql") : block.index("```", block.index("```sql") + 6)
    ]
    statements = [
        line.rstrip(";")
        .replace("planit_app", "{role}")
        .replace("DATABASE planit ", "DATABASE {db} ")
        for line in block.splitlines()
        if line.startswith(("GRANT", "REVOKE"))
    ]
    assert statements == list(GRANTS)


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


def _grant(
    server: PostgresServer, name: str, role: str, statements: tuple[str, ...] = GRANTS
) -> None:
    # GRANT … ON ALL TABLES needs a connection to the database itself.
    database = open_database(server.url_for(name), migrate=False)
    try:
        with database.engine.connect() as connection:
            for statement in statements:
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
    assert main(["rollover", "--db", url, "--report", str(tmp_path / "report.xlsx")]) == 0
    assert main(["export", "learners", str(tmp_path / "learners.xlsx"), "--db", url]) == 0
    capsys.readouterr()

    database = open_database(url)
    try:
        admin = staff_actor(database, cli_signed_in.login)  # the demo school's administrator
        # Old leavers' data removed: their audit entries blanked through the owner's function.
        with database.begin() as session:
            gone = session.scalars(select(Learner.id).order_by(Learner.id).limit(2)).all()
            mark_left(session, admin, gone, left_on=date(2015, 7, 20), reason="moved",
                      today=date(2026, 1, 15))  # fmt: skip
        with database.begin() as session:
            assert remove_old_leavers_data(session, admin, gone, today=date(2026, 1, 15)) == 2
        with database.read() as session:
            blanked = session.scalars(
                select(AuditEntry.detail).where(
                    AuditEntry.entity_id.in_(gone), AuditEntry.values_hash.is_not(None)
                )
            ).all()
        assert blanked and set(blanked) == {REDACTED}

        with pytest.raises(Exception, match="must be owner"):  # noqa: PT011 (the driver's own)
            with database.engine.connect() as connection:
                connection.execute(text("DROP TABLE audit_entry"))
        for statement in (
            "UPDATE audit_entry SET detail = 'rewritten'",
            "UPDATE audit_entry SET old_value = NULL WHERE id = 1",
            "DELETE FROM audit_entry WHERE id = 1",
            "DELETE FROM audit_entry",
            "TRUNCATE audit_entry",
        ):
            with pytest.raises(DBAPIError, match="permission denied for table audit_entry"):
                with database.engine.begin() as connection:
                    connection.execute(text(statement))
        with pytest.raises(PlanitError, match="does not have permission"):
            with database.begin() as session:
                session.execute(text("DELETE FROM audit_entry WHERE id = 1"))
    finally:
        database.dispose()
    assert main(["audit", "--verify", "--db", url]) == 0
    assert "The audit log is whole" in capsys.readouterr().out


def test_a_database_the_role_cannot_set_up_is_refused_clearly(
    postgres_server: PostgresServer, app_role: str
) -> None:
    name = postgres_server.create_database()
    try:
        # Since PostgreSQL 15 nobody but the owner creates tables in the public schema. (No
        # audit table yet, to take rights away from.)
        before_tables = tuple(g for g in GRANTS if "audit_entry" not in g)
        _grant(postgres_server, name, app_role, before_tables)
        with pytest.raises(PlanitError) as refused:
            open_database(_as_role(postgres_server, name, app_role))
        message = str(refused.value)
        assert "permission" in message.lower() and "owner" in message.lower()
        assert "SELECT" not in message and "Traceback" not in message
    finally:
        postgres_server.drop_database(name)
