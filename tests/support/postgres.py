"""A PostgreSQL server for the tests and benchmarks: fresh databases from a template, and a
throwaway cluster when none is given.

The tests find their server in ``PLANIT_TEST_POSTGRES_URL``, an administrator's URL such as
``postgresql+psycopg://postgres@127.0.0.1:5433/postgres``. Each test gets a database of its
own, copied from one migrated template (``CREATE DATABASE … TEMPLATE``), which is far quicker
than migrating an empty database each time.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

#: The environment variable naming the administrator's URL of the test server.
URL_VARIABLE = "PLANIT_TEST_POSTGRES_URL"


def configured_url() -> str | None:
    """The test server's administrator URL, or None when no server is configured."""
    return os.environ.get(URL_VARIABLE) or None


def running_in_ci() -> bool:
    """CI must run the PostgreSQL tests: there a missing server is an error, not a skip."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected database name {name!r}")
    return f'"{name}"'


@dataclass
class PostgresServer:
    """A PostgreSQL server on which databases are made and dropped by an administrator."""

    admin_url: str
    _admin: Engine | None = field(default=None, repr=False)

    @property
    def admin(self) -> Engine:
        # CREATE / DROP DATABASE cannot run inside a transaction.
        if self._admin is None:
            self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        return self._admin

    def url_for(self, name: str) -> str:
        """The URL of the database ``name`` on this server (same user, host and port)."""
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def check(self) -> str:
        """The server's version line; raises if the server cannot be reached."""
        with self.admin.connect() as connection:
            return str(connection.execute(text("SELECT version()")).scalar())

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """Make a database (empty, or a copy of ``template``); returns its name."""
        name = name or f"planit_t_{uuid.uuid4().hex[:12]}"
        statement = f"CREATE DATABASE {_quoted(name)}"
        if template:
            statement += f" TEMPLATE {_quoted(template)}"
        with self.admin.connect() as connection:
            connection.execute(text(statement))
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name`` if it exists, ending any connection still open to it first."""
        with self.admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f"DROP DATABASE IF EXISTS {_quoted(name)}"))

    def connections_to(self, name: str) -> int:
        """How many sessions (other than this one) are connected to the database ``name``."""
        with self.admin.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar()
        return int(found or 0)

    def writing_to(self, name: str) -> bool:
        """True while a transaction that has begun writing (it holds an xid) is open on ``name``."""
        with self.admin.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = :name AND backend_xid IS NOT NULL"
                ),
                {"name": name},
            ).scalar()
        return bool(found)

    def wait_until_unused(self, name: str, timeout: float = 60.0) -> None:
        """Wait until no session is connected to ``name``: after a client is killed, its server
        process finishes (commits or rolls back) and goes; only then is the outcome final.
        """
        deadline = time.monotonic() + timeout
        while self.connections_to(name):
            if time.monotonic() > deadline:
                raise TimeoutError(f"sessions still connected to {name} after {timeout:g} s")
            time.sleep(0.05)

    def dispose(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None


def advance_id_sequences(session: Session) -> None:
    """After rows were added with ids chosen by hand: on PostgreSQL, move every table's id
    sequence past the largest id, or the next row added without an id would collide with
    one of them. SQLite needs nothing.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    from planit_desktop.model.entities import Base

    session.flush()
    for table in Base.metadata.sorted_tables:
        ids = table.c.get("id")
        if ids is None or not ids.primary_key or not ids.autoincrement:
            continue
        session.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, "id"),
                    func.coalesce(func.max(ids), 0) + 1,
                    False,
                )
            )
        )


def make_template(server: PostgresServer, name: str | None = None) -> str:
    """A migrated, empty Plan-it database to copy with ``CREATE DATABASE … TEMPLATE``."""
    from planit_desktop.model.db import open_database

    name = name or f"planit_template_{uuid.uuid4().hex[:8]}"
    server.drop_database(name)
    server.create_database(name)
    database = open_database(server.url_for(name))
    # A template must have no connection open when it is copied.
    database.dispose()
    return name


def make_demo_school(server: PostgresServer, template: str, *, learners: int, seed: int) -> str:
    """A new database copied from ``template`` holding a demo school in 2025/26 (its name)."""
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.demo.school import create_demo_school

    name = server.create_database(template=template)
    database = open_database(server.url_for(name))
    try:
        with database.begin() as session:
            create_demo_school(session, learners=learners, seed=seed, academic_year=2025)
    finally:
        database.dispose()
    return name


# --- A throwaway cluster, for benchmarks and for development without a server -------------


def find_initdb() -> Path | None:
    """Debian's initdb (newest version first), or one on the PATH; None if not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if found:
        return Path(found[-1])
    on_path = shutil.which("initdb")
    return Path(on_path) if on_path else None


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_cluster_owner(argv: list[str]) -> list[str]:
    # initdb and the server refuse to run as root: run them as the postgres user then.
    if os.geteuid() != 0:
        return argv
    command = " ".join(f"'{part}'" for part in argv)
    return ["su", "postgres", "-s", "/bin/sh", "-c", command]


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a new PostgreSQL cluster in a temporary folder; yields its administrator URL.

    It listens on 127.0.0.1 only, trusts local connections (it holds only test data) and runs
    with fsync off. It is stopped and its folder removed on leaving. Raises RuntimeError with
    the server's log when initdb is missing or the cluster does not start.
    """
    initdb = find_initdb()
    if initdb is None:
        raise RuntimeError("PostgreSQL is not installed here (no initdb found).")
    bin_folder = initdb.parent
    folder = Path(tempfile.mkdtemp(prefix="planit-pg-"))
    data, log = folder / "data", folder / "server.log"
    port = free_port()
    started = False
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        made = subprocess.run(
            _as_cluster_owner(
                [str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{made.stderr.decode(errors='replace')}")
        options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
        start = subprocess.run(
            _as_cluster_owner(
                [str(bin_folder / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log)]
                + ["-w", "-t", "60", "start"]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if start.returncode != 0:
            shown = log.read_text(errors="replace") if log.exists() else start.stderr.decode()
            raise RuntimeError(f"The PostgreSQL test cluster did not start:\n{shown}")
        started = True
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                _as_cluster_owner(
                    [str(bin_folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)
