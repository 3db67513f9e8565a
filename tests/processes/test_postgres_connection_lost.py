"""The connection to the PostgreSQL server lost in the middle of an action: the coordinator
reads what happened in their words, nothing is half-written, and the same open database
works again as soon as the server is back (PostgreSQL only, like the other test_postgres_*).

"The server" is reached through a relay (tests/support/tcp_proxy.py) that can be stopped and started
like a server, without stopping the test server itself; its sessions are also ended from the
server's side with ``pg_terminate_backend``, as an administrator or a shutdown would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database, translate_errors
from planit_desktop.model.entities import AuditEntry, Learner, LearnerStatus
from planit_desktop.model.errors import DatabaseUnavailable
from planit_desktop.model.services.importing import check_rows, import_learners, read_table
from planit_desktop.model.services.learners.corrections import correct_learner
from planit_desktop.ui.ops import describe_failure
from tests.support.import_files import TODAY, learner, write_xlsx
from tests.support.postgres import PostgresServer, make_demo_school
from tests.support.rollover import checksum
from tests.support.sign_in import DEMO_ADMINISTRATOR, staff_actor
from tests.support.tcp_proxy import TcpProxy

#: Words that have no place in a coordinator's message.
TECHNICAL = ("SQL", "psycopg", "Traceback", "sqlalche.me", "administrator command", "libpq")


@dataclass
class School:
    """A small demo school on the test server, opened through :attr:`relay`."""

    database: Database
    name: str
    direct_url: str  # not through the relay: for looking at what the server holds
    relay: TcpProxy

    def state(self) -> dict[str, str]:
        """Every table's checksum, as the server holds it."""
        return checksum(self.direct_url)


@pytest.fixture
def school(postgres_server: PostgresServer, postgres_template: str) -> Iterator[School]:
    name = make_demo_school(postgres_server, postgres_template, learners=40, seed=5)
    url = postgres_server.url_for(name)
    relay = TcpProxy.for_url(url)
    relay.start()
    database = open_database(relay.url(url))
    try:
        yield School(database, name, url, relay)
    finally:
        database.dispose()
        relay.stop()
        postgres_server.drop_database(name)


@pytest.fixture
def admin(school: School) -> Actor:
    """The demo school's admin1, as signed in (the school is on the server, not the
    ``database`` fixture)."""
    return staff_actor(school.database, DEMO_ADMINISTRATOR[0])


def _assert_in_plain_words(error: DatabaseUnavailable, database: Database, *words: str) -> None:
    """The message has ``words`` and, apart from where the database is, nothing technical."""
    for word in words:
        assert word in error.message, error.message
    assert database.location in error.message
    told = error.message.replace(database.location, "")
    for word in TECHNICAL:
        assert word not in told, error.message
    assert describe_failure(error) == error.message  # the window shows it as it is


def _after_statement(database: Database, starts: str, then: Callable[[object], None]) -> None:
    """Call ``then(connection)`` once, right after the first statement starting ``starts``."""
    done: list[bool] = []

    def watch(connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if not done and statement.lstrip().upper().startswith(starts):
            done.append(True)
            then(connection)

    event.listen(database.engine, "after_cursor_execute", watch)


def _a_learner(database: Database) -> tuple[int, int, str]:
    with database.read() as session:
        found = session.scalars(
            select(Learner).where(Learner.status == LearnerStatus.ON_ROLL).order_by(Learner.id)
        ).first()
        assert found is not None
        return found.id, found.version, found.surname


def _count(database: Database, entity: type[Learner | AuditEntry]) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(entity)) or 0


def test_session_ended_by_the_server_mid_correction(
    school: School, postgres_server: PostgresServer, admin: Actor
) -> None:
    database = school.database
    learner_id, version, surname = _a_learner(database)
    before = school.state()

    def end_the_session(connection: object) -> None:
        pid = connection.connection.dbapi_connection.info.backend_pid  # type: ignore[attr-defined]
        with postgres_server.admin.connect() as admin_connection:
            admin_connection.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})

    # The learner's row is updated, then the server ends the session before the audit entry.
    _after_statement(database, "UPDATE LEARNER", end_the_session)
    with pytest.raises(DatabaseUnavailable) as lost, database.begin() as session:
        correct_learner(
            session, admin, learner_id, {"surname": "Renamed"}, expected_version=version
        )
    _assert_in_plain_words(lost.value, database, "connection", "was lost", "Nothing was changed")
    assert school.state() == before

    # The very next action on the same open database reconnects and succeeds.
    with database.begin() as session:
        result = correct_learner(
            session, admin, learner_id, {"surname": "Renamed"}, expected_version=version
        )
    assert result.changed == ("surname",)
    assert surname != "Renamed"
    assert _a_learner(database) == (learner_id, result.version, "Renamed")


def test_server_stopped_mid_import_then_back(
    school: School, postgres_server: PostgresServer, admin: Actor, tmp_path: Path
) -> None:
    database = school.database
    path = write_xlsx(tmp_path / "new.xlsx", [learner(i) for i in range(1, 21)])
    with database.read() as session:
        checked = check_rows(session, read_table(path), today=TODAY)
    # Ready-made (password, hash) pairs: hashing is done before the transaction, not tested here.
    pairs = [("Temporary22", "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g")] * 20
    before = school.state()

    def run_import() -> int:
        with database.begin() as session:
            return import_learners(
                session, admin, checked, password_pairs=pairs, source_name="new.xlsx", today=TODAY
            ).imported

    # The new learners are written, then the server stops before their passwords are.
    _after_statement(database, "INSERT INTO LEARNER ", lambda _connection: school.relay.stop())
    with pytest.raises(DatabaseUnavailable) as lost:
        run_import()
    _assert_in_plain_words(lost.value, database, "was lost", "Nothing was changed", "try again")
    with pytest.raises(DatabaseUnavailable) as down:
        _count(database, Learner)
    _assert_in_plain_words(down.value, database, "cannot be reached", "Nothing was changed")
    postgres_server.wait_until_unused(school.name)  # the server rolled the import back
    assert school.state() == before

    school.relay.start()
    learners = _count(database, Learner)
    assert run_import() == 20
    assert _count(database, Learner) == learners + 20


def test_connection_lost_while_saving_says_it_may_not_be_saved(
    school: School, admin: Actor
) -> None:
    database = school.database
    learner_id, version, _surname = _a_learner(database)
    audited = _count(database, AuditEntry)

    event.listen(database.engine, "commit", lambda _connection: school.relay.stop(), once=True)
    with pytest.raises(DatabaseUnavailable) as lost, database.begin() as session:
        correct_learner(session, admin, learner_id, {"surname": "Saved"}, expected_version=version)
    _assert_in_plain_words(lost.value, database, "may or may not have been saved", "check")
    assert "Nothing was changed" not in lost.value.message
    school.relay.start()
    # Here the COMMIT never reached the server, so the check finds the change not saved.
    assert _a_learner(database)[1] == version and _count(database, AuditEntry) == audited


def test_only_errors_that_a_coordinator_can_meet_are_translated() -> None:
    """No server needed: the messages are chosen from the driver's words."""
    refused = Exception('connection to server at "db", port 5432 failed: Connection refused')
    with pytest.raises(DatabaseUnavailable, match="cannot be reached"), translate_errors("x"):
        raise OperationalError("SELECT 1", {}, refused)
    login = Exception('connection failed: FATAL: password authentication failed for user "a"')
    with pytest.raises(DatabaseUnavailable, match="password authentication failed"):
        with translate_errors("x"):
            raise OperationalError("SELECT 1", {}, login)
    clash = Exception("duplicate key value violates unique constraint")
    with pytest.raises(IntegrityError), translate_errors("x"):
        raise IntegrityError("INSERT", {}, clash)
    lost = OperationalError("SELECT 1", {}, Exception("eof"), connection_invalidated=True)
    with pytest.raises(DatabaseUnavailable, match="was lost") as caught, translate_errors("x"):
        raise lost
    assert "eof" not in caught.value.message
