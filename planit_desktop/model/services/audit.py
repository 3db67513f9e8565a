"""The audit log: who did what, when, with old and new values. Entries are only ever added,
and each carries the hash of the one before it, so an entry changed or removed shows.

**Append-only.** On SQLite, triggers (migration ``0005_audit_chain``) refuse every UPDATE and
DELETE of an audit entry (an INSERT OR REPLACE over one, which fires no trigger, shows in
the chain); on PostgreSQL the coordinators' role is granted only INSERT and SELECT on the
table (README). The one change allowed is the
removal of an old leaver's personal data, below.

**The chain.** Every entry has its place ``seq`` (1, 2, 3, … in the order the entries were
added), ``prev_hash``, the ``entry_hash`` of the entry before it (64 zeros for the first), and
its own ``entry_hash``::

    values_hash = SHA-256( J([old_value, new_value, detail]) )
    entry_hash  = SHA-256( J(["planit-audit-1", seq, prev_hash, at, actor, action, entity,
                              entity_id, field, values_hash]) )

Each hash is written as 64 lower-case hexadecimal digits. ``J(list)`` is the list as JSON
text in ASCII bytes, exactly as Python's ``json.dumps(list, ensure_ascii=True,
separators=(",", ":"))`` writes it: no spaces; NULL as ``null``; ``seq`` and ``entity_id``
as decimal integers; strings in double quotes, with ``\\"`` ``\\\\`` ``\\b`` ``\\f`` ``\\n``
``\\r`` ``\\t`` and every other character outside U+0020…U+007E as ``\\uXXXX`` (lower-case
hex; UTF-16 surrogate pairs above U+FFFF). Text is hashed as stored, never trimmed or
normalised.

``at`` is hashed as the database stores it, read back as a date and time without a time
zone and written ``YYYY-MM-DD HH:MM:SS.ffffff`` (always six decimals): never converted. So
that what is hashed is what is stored, the program gives each new entry its ``at`` itself, to
the microsecond, which both databases keep exactly: on PostgreSQL the server's
``LOCALTIMESTAMP`` at the start of the transaction, on SQLite the current time in UTC (the
values the column's default, ``CURRENT_TIMESTAMP``, gave each of them before). Entries made
before the chain existed keep the ``at`` they have (on SQLite to the second, which reads
back as ``….000000``); the migration chained them in the order of their ids.

**One writer at a time.** A transaction that audits first takes the chain's lock (PostgreSQL:
a transaction-level advisory lock, released at COMMIT or ROLLBACK; SQLite: the write lock
its ``BEGIN IMMEDIATE`` holds already), then reads the head once and keeps it for the rest
of the transaction. A unique index on ``seq`` means that even a writer that went round the
lock cannot fork the chain: the second insert on the same head fails.

**Removing an old leaver's personal data** is the one change of entries allowed: see
:mod:`planit_desktop.model.services.audit_removal`.

**What the chain cannot show:** the newest entries removed by someone who may delete rows
leave a shorter chain that is whole. ``planit-desktop audit --verify`` prints the head (the
newest place and its hash): noted down, or kept in a backup, it shows such a removal later.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import operator
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Select,
    event,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from planit_desktop.model import changes
from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import AuditEntry

#: Names the hash scheme inside every entry hash; a new scheme would get a new name.
SCHEME = "planit-audit-1"
#: The ``prev_hash`` of the first entry.
GENESIS = "0" * 64
#: The ``detail`` of an entry whose personal data was removed with an old leaver's record.
REDACTED = "(removed with the learner's personal data)"
#: Key of PostgreSQL's advisory lock on the chain's head ("planitau" in ASCII).
CHAIN_LOCK = int.from_bytes(b"planitau", "big")
#: The PostgreSQL function, made by the migration, that blanks removed learners' entries.
REDACT_FUNCTION = "planit_redact_learner_audit"

_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
_quote_ascii = json.encoder.encode_basestring_ascii  # what _JSON writes for a string
_SHA256 = hashlib.sha256
_HEAD = "planit_audit_chain_head"
_BATCH = 5_000


# --- the hash -----------------------------------------------------------------------------
def stored_time(value: datetime) -> str:
    """``at`` as it is hashed: the stored date and time, six decimals, never converted."""
    return value.isoformat(sep=" ", timespec="microseconds")


def values_hash(old_value: str | None, new_value: str | None, detail: str | None) -> str:
    """The hash of an entry's values (what removing a leaver's data blanks)."""
    return _SHA256(_JSON([old_value, new_value, detail]).encode("ascii")).hexdigest()


def entry_hash(
    *,
    seq: int,
    prev_hash: str,
    at: str,
    actor: str,
    action: str,
    entity: str | None,
    entity_id: int | None,
    field: str | None,
    of_values: str,
) -> str:
    """The hash of one entry in its place in the chain (``at`` as :func:`stored_time`)."""
    content = [SCHEME, seq, prev_hash, at, actor, action, entity, entity_id, field, of_values]
    return _SHA256(_JSON(content).encode("ascii")).hexdigest()


class _Quoted(dict[str | None, str]):
    """Texts as JSON items, each worked out once per batch (bulk rows repeat most of them):
    the same text ``J`` writes, joined by hand (a test holds the two equal)."""

    def __missing__(self, key: str | None) -> str:
        quoted = "null" if key is None else _quote_ascii(key)
        self[key] = quoted
        return quoted


# --- adding entries -----------------------------------------------------------------------
@dataclass(slots=True)
class _Head:
    """Where the chain stands inside one transaction, which holds its lock."""

    seq: int
    hash: str
    at: datetime | None  # PostgreSQL: the transaction's time; SQLite: taken per call


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, _transaction: object) -> None:
    # A commit, a rollback or a savepoint's end: the next entry reads the head afresh.
    session.info.pop(_HEAD, None)


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _head(session: Session) -> _Head:
    head: _Head | None = session.info.get(_HEAD)
    if head is not None:
        return head
    at = None
    if on_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
        at = session.scalar(select(func.localtimestamp()))
    newest = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash)
        .where(AuditEntry.seq.is_not(None))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    head = _Head(seq=0, hash=GENESIS, at=at)
    if newest is not None and newest.seq is not None:
        head.seq, head.hash = int(newest.seq), str(newest.entry_hash)
    session.info[_HEAD] = head
    return head


_INSERTED = (
    "at", "actor", "action", "entity", "entity_id", "field", "old_value", "new_value",
    "detail", "seq", "prev_hash", "entry_hash",
)  # fmt: skip
#: Fewer rows than this go in as INSERTs; more, on PostgreSQL, by COPY (several times faster).
_COPY_FROM = 100


def _insert(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """Insert entry rows (columns :data:`_INSERTED`) with the driver's fastest bulk path;
    the values are final (hashed), so no SQL expression may touch them on the way."""
    connection = session.connection()
    columns = ", ".join(_INSERTED)
    if connection.dialect.name == "postgresql" and len(rows) >= _COPY_FROM:
        _copy(connection, columns, rows)
        return
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    places = ", ".join([marker] * len(_INSERTED))
    connection.exec_driver_sql(f"INSERT INTO audit_entry ({columns}) VALUES ({places})", rows)


def _copy(connection: Any, columns: str, rows: list[tuple[Any, ...]]) -> None:
    from sqlalchemy.exc import DBAPIError

    statement = f"COPY audit_entry ({columns}) FROM STDIN"
    driver = connection.connection.driver_connection
    error_class = connection.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except error_class as error:  # worded by translate_errors like any other driver error
        raise DBAPIError.instance(
            statement, None, error, error_class, dialect=connection.dialect
        ) from error


def _chain(session: Session, login: str, rows: Iterable[Sequence[Any]]) -> int:
    """Hash ``rows`` onto the chain's head and insert them, in batches; how many.

    Bulk rows repeat most of their content (a rollover's thousands of entries differ only in
    the learner and the year groups), so the JSON text before and after each entry's
    ``entity_id``, values hash included, is made once per distinct content: what is left
    per entry is one SHA-256 of a short text. A test holds the text equal to ``J``'s.
    """
    head = _head(session)
    at = head.at if head.at is not None else datetime.now(UTC).replace(tzinfo=None)
    at_text = stored_time(at)
    # SQLite is given the text SQLAlchemy would store for ``at``; PostgreSQL the timestamp.
    stored_at: object = at if head.at is not None else at_text
    sha256 = _SHA256
    seq, prev, added = head.seq, head.hash, 0
    batch: list[tuple[Any, ...]] = []
    quoted = _Quoted()
    opening = f'["{SCHEME}",'
    when_who = f"{quoted[at_text]},{quoted[login]},"
    # Keyed by field too, though the text is not: the keys are what the batch changed.
    middles: dict[tuple[str, str | None, str | None], str] = {}
    endings: dict[tuple[str | None, str | None, str | None, str | None], str] = {}
    # Each row: action, entity, entity_id, field, old value, new value, detail.
    for action, entity, given_id, field, given_old, given_new, given_detail in rows:
        old = given_old if given_old is None or given_old.__class__ is str else str(given_old)
        new = given_new if given_new is None or given_new.__class__ is str else str(given_new)
        detail = given_detail if given_detail is None else str(given_detail)
        entity_id = given_id if given_id is None or given_id.__class__ is int else int(given_id)
        middle = middles.get((action, entity, field))
        if middle is None:
            middle = middles[(action, entity, field)] = (
                f"{when_who}{quoted[action]},{quoted[entity]},"
            )
        ending = endings.get((field, old, new, detail))
        if ending is None:
            of_values = sha256(
                f"[{quoted[old]},{quoted[new]},{quoted[detail]}]".encode("ascii")
            ).hexdigest()
            ending = endings[(field, old, new, detail)] = f',{quoted[field]},"{of_values}"]'
        seq += 1
        number = "null" if entity_id is None else entity_id
        own = sha256(
            f'{opening}{seq},"{prev}",{middle}{number}{ending}'.encode("ascii")
        ).hexdigest()
        batch.append(
            (stored_at, login, action, entity, entity_id, field, old, new, detail, seq, prev, own)
        )
        prev = own
        if len(batch) >= _BATCH:
            _insert(session, batch)
            added += len(batch)
            head.seq, head.hash = seq, prev
            # What the transaction changed: each (action, entity, field) of the batch, once.
            changes.note(session, middles)
            batch = []
            quoted, middles, endings = _Quoted(), {}, {}
            when_who = f"{quoted[at_text]},{quoted[login]},"
    if batch:
        _insert(session, batch)
        added += len(batch)
        head.seq, head.hash = seq, prev
        changes.note(session, middles)
    return added


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    field: str | None = None,
    old: object = None,
    new: object = None,
    detail: str | None = None,
) -> None:
    """Add one audit entry to the caller's transaction (written at once, onto the chain)."""
    login = actor if isinstance(actor, str) else actor.login
    _chain(session, login, [(action, entity, entity_id, field, old, new, detail)])


def record_many(session: Session, actor: Actor, rows: Iterable[Mapping[str, Any]]) -> int:
    """Add many audit entries in a few statements (bulk work audits each change it makes).

    Each row may have ``action``, ``entity``, ``entity_id``, ``field``, ``old``, ``new``,
    ``detail``.
    """
    return record_rows(
        session,
        actor,
        (
            (
                row["action"],
                row.get("entity"),
                row.get("entity_id"),
                row.get("field"),
                row.get("old"),
                row.get("new"),
                row.get("detail"),
            )
            for row in rows
        ),
    )


def record_rows(session: Session, actor: Actor, rows: Iterable[Sequence[Any]]) -> int:
    """Add one audit entry per row of (action, entity, entity_id, field, old, new, detail)."""
    return _chain(session, actor.login, rows)


_FIELDS = ("action", "entity", "entity_id", "field", "old", "new", "detail")


def record_select(session: Session, actor: Actor, query: Select[Any], **same: object) -> int:
    """Add one audit entry per row of ``query``: set-based work (the rollover's journal) says
    in one SELECT what it changed, and its rows are hashed onto the chain and inserted in
    batches; how many.

    ``query`` selects the fields of an entry that differ from row to row, in the order
    action, entity, entity_id, field, old, new, detail; ``same`` gives those that do not
    (``action="rollover", entity="learner"``). The rows are read straight from the driver,
    in batches: they are only text and numbers (the query's parameters too), so they need no
    conversion, and for a whole school's rollover that saves seconds.
    """
    if unknown := set(same) - set(_FIELDS):
        raise TypeError(f"not fields of an audit entry: {sorted(unknown)}")
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect)
    values = compiled.construct_params()
    parameters: Any = (
        tuple(values[name] for name in compiled.positiontup or ())
        if compiled.positional
        else values
    )
    statement = str(compiled)
    cursor = connection.connection.cursor()
    error_class = connection.dialect.loaded_dbapi.Error
    try:
        cursor.execute(statement, parameters)
        fetched = iter(lambda: cursor.fetchmany(_BATCH), [])
        rows: Iterable[Sequence[Any]] = itertools.chain.from_iterable(fetched)
        if same:  # each row completed with the fields that are the same for all (in C)
            varying = [name for name in _FIELDS if name not in same]
            fixed = tuple(same.values())
            order = [*varying, *same]
            arrange = operator.itemgetter(*(order.index(name) for name in _FIELDS))
            rows = map(arrange, map(operator.add, rows, itertools.repeat(fixed)))
        return _chain(session, actor.login, rows)
    except error_class as error:  # worded by translate_errors like any other driver error
        from sqlalchemy.exc import DBAPIError

        raise DBAPIError.instance(
            statement, parameters, error, error_class, dialect=connection.dialect
        ) from error
    finally:
        cursor.close()


#: The ``action`` of the audit entry for a file of personal data written out (its
#: ``entity`` is :data:`FILE`, which changes nothing on screen).
FILE_WRITTEN = "file_written"
FILE = changes.FILE


def file_written(
    session: Session,
    actor: Actor | str,
    *,
    what: str,
    path: str | os.PathLike[str],
    rows: int | None = None,
) -> None:
    """Record that a file of personal data was written: what it holds, where, and how much.

    ``what`` names the file as the coordinator would ("password list", "backup", "learners
    export"). Every file the program writes that holds learners' or staff's data (reports,
    password lists, slips, exports, backups, copies) is recorded this way, with its full path.
    """
    audit_detail = f"{what} written to {os.fspath(path)}"
    if rows is not None:
        audit_detail += f" ({rows} rows)"
    record(session, actor, FILE_WRITTEN, entity=FILE, field=what, new=os.fspath(path),
           detail=audit_detail)  # fmt: skip
