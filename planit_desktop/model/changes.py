"""What a transaction changed, derived in one place from what it wrote: its audit entries.

Every change goes through a service that writes an audit entry in the same transaction
(:mod:`planit_desktop.model.services.audit`), so the audit log already says what changed.
This module turns it into the kinds of data a screen shows, the way Anki's operations return
``OpChanges``: no caller says by hand what its change touched.

* **The vocabulary.** :data:`KINDS` are the kinds of data a window shows (learners, groups,
  staff, subjects, the school, the year end). An audit entry changed the kinds of the records
  it is about: :data:`ENTITY_KINDS` gives each ``entity`` its kinds, :data:`FIELD_KINDS` the
  fields that are a link between two kinds (a learner's groups are a learner's and a group's),
  and :data:`ACTION_KINDS` the actions whose kinds are not their record's (a sign-in changes
  nothing on screen; a supervisor's access is the member of staff's and the group's). A
  record that changes nothing on screen (a file written out) maps to no kind; one this
  program does not know (written by a newer version) to every kind. A screen that shows
  figures drawn from another kind (a group's count of learners) listens for that kind too.
* **One transaction.** The audit module notes the ``(action, entity, field)`` of the entries
  it adds (:func:`note`, once per batch: bulk inserts cost nothing more). :func:`audited` is
  what the open transaction has audited so far; a savepoint rolled back takes its notes with
  it.
* **Committed work.** Inside :func:`collect`, every transaction committed on this thread hands
  over what it audited: the window's operations announce exactly that after they ran.
* **Someone else's changes.** The newest audit entry (with the year-end runs, for an undo) is
  a cheap stamp of the whole database: two indexed ``max()`` reads. An open window compares
  stamps now and then, and asks only what was audited since its last look
  (:func:`changes_since`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from planit_desktop.model.entities import AuditEntry, YearEndRun

# --- the vocabulary -----------------------------------------------------------------------
#: The kinds of data a change may touch; a screen reloads when one of its kinds changed.
LEARNERS = "learners"
GROUPS = "groups"
STAFF = "staff"
SUBJECTS = "subjects"
SCHOOL = "school"
ROLLOVER = "rollover"
KINDS = frozenset({LEARNERS, GROUPS, STAFF, SUBJECTS, SCHOOL, ROLLOVER})
#: Everything: another database was opened, or something this program does not know changed.
EVERYTHING = KINDS
NONE: frozenset[str] = frozenset()

#: The ``entity`` of audit entries for a year-end run (and its undo).
YEAR_END_RUN = "year_end_run"
#: The ``entity`` of the audit entry for a file of personal data written out.
FILE = "file"

#: Audit ``entity`` names and the kinds of data they belong to (None: an entry about no record
#: in particular, which is every kind unless its action says otherwise).
ENTITY_KINDS: Mapping[str | None, frozenset[str]] = {
    "learner": frozenset({LEARNERS}),
    "import": frozenset({LEARNERS, GROUPS}),
    "support_request": frozenset({LEARNERS}),
    "group": frozenset({GROUPS}),
    "staff": frozenset({STAFF}),
    # A supervisor's access to a group shows on both (the rollover ends and reopens it).
    "supervisor_access": frozenset({STAFF, GROUPS}),
    "subject": frozenset({SUBJECTS}),
    "school": frozenset({SCHOOL}),
    "checklist_item": frozenset({SCHOOL}),
    # Only the wizard shows a draft, and it reads it when it opens.
    "year_end_draft": NONE,
    # A run (or its undo) moves the school into another academic year.
    YEAR_END_RUN: frozenset({ROLLOVER, SCHOOL}),
    # A file written out (a report, a backup, a copy) changes no data.
    FILE: NONE,
}

_MEMBERSHIP = frozenset({LEARNERS, GROUPS})
_ACCESS = frozenset({STAFF, GROUPS})

#: ``(entity, field)`` pairs that are a link between two kinds of record.
FIELD_KINDS: Mapping[tuple[str, str], frozenset[str]] = {
    # A learner's groups (added, removed, moved, corrected, undone): the group's members.
    ("learner", "groups"): _MEMBERSHIP,
}

#: Actions whose kinds are not those of their ``entity`` (and field).
ACTION_KINDS: Mapping[str, frozenset[str]] = {
    # Signing in, and being refused, change nothing a window shows (no entity, or staff's or a
    # learner's record, whose shown values stay as they were).
    "sign_in": NONE,
    "sign_in_failed": NONE,
    "sign_in_refused": NONE,
    "account_locked": NONE,
    "password_changed": NONE,
    "refused": NONE,
    "learner_sign_in": NONE,
    "learner_sign_in_failed": NONE,
    # A supervisor's access is the member of staff's and the group's.
    "access_assigned": _ACCESS,
    "access_ended": _ACCESS,
    "access_reopened": _ACCESS,
    # A group's supervisors' access goes with it.
    "group_deleted": _ACCESS,
    # Learners made, merged or removed with their group memberships, in one entry each.
    "learner_quick_created": _MEMBERSHIP,
    "learner_merged": _MEMBERSHIP,
    "learner_merged_away": _MEMBERSHIP,
    "learner_data_removed": _MEMBERSHIP,
}

#: An audited change: the ``(action, entity, field)`` of an audit entry.
Entry = tuple[str, str | None, str | None]


def kinds_of_entry(action: str, entity: str | None, field: str | None = None) -> frozenset[str]:
    """The kinds of data an audit entry of ``action`` on ``entity`` (its ``field``) changed;
    every kind for a record this program does not know: better reload than miss it."""
    kinds = ACTION_KINDS.get(action)
    if kinds is None and entity is not None and field is not None:
        kinds = FIELD_KINDS.get((entity, field))
    if kinds is None:
        kinds = ENTITY_KINDS.get(entity, EVERYTHING)
    return kinds


def kinds_of(entities: Iterable[str | None]) -> frozenset[str]:
    """The kinds of data to reload for changes to these records (``entity`` names),
    whatever was done to them (anything unknown: everything)."""
    kinds: set[str] = set()
    for entity in entities:
        kinds |= ENTITY_KINDS.get(entity, EVERYTHING)
    return frozenset(kinds)


@dataclass(frozen=True)
class Changes:
    """What was written, as its audit entries say: the ``(action, entity, field)`` of each
    kind of entry."""

    entries: frozenset[Entry] = frozenset()

    @property
    def entities(self) -> frozenset[str]:
        """The records changed (an entry about no record in particular as "")."""
        return frozenset(entity or "" for _action, entity, _field in self.entries)

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of data (:data:`KINDS`) those changes touch."""
        kinds: set[str] = set()
        for action, entity, field in self.entries:
            kinds |= kinds_of_entry(action, entity, field)
        return frozenset(kinds)

    @property
    def any(self) -> bool:
        """Anything was audited (even what changes nothing on screen)."""
        return bool(self.entries)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.entries | other.entries)


NOTHING = Changes()


# --- one transaction ----------------------------------------------------------------------
# session.info key: what each open transaction (the outer one, and each savepoint) audited.
_NOTES = "planit_audited"


def _current(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def note(session: Session, entries: Iterable[Entry]) -> None:
    """Note that the open transaction of ``session`` wrote audit entries of these
    ``(action, entity, field)`` (the audit module calls this once per batch it inserts)."""
    transaction = _current(session)
    if transaction is None:  # pragma: no cover - an entry is always written in a transaction
        return
    notes: dict[SessionTransaction, set[Entry]] = session.info.setdefault(_NOTES, {})
    notes.setdefault(transaction, set()).update(entries)


def audited(session: Session) -> Changes:
    """What the open transaction of ``session`` has audited so far (savepoints rolled back
    left out): what it will have changed if it is committed now."""
    notes: dict[SessionTransaction, set[Entry]] | None = session.info.get(_NOTES)
    if not notes:
        return NOTHING
    return Changes(frozenset().union(*notes.values()))


# Those collecting what is committed on this thread (see collect), innermost last.
_collectors: ContextVar[tuple[Collected, ...]] = ContextVar("planit_collectors", default=())


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # Called for a savepoint released, too: its notes become its parent's. (The committing
    # transaction is still the session's current one here.)
    notes: dict[SessionTransaction, set[Entry]] | None = session.info.get(_NOTES)
    transaction = _current(session)
    if not notes or transaction is None:
        return
    done = notes.pop(transaction, None)
    if not done:
        return
    parent = transaction.parent
    if parent is not None:
        notes.setdefault(parent, set()).update(done)
        return
    for collector in _collectors.get():
        collector.entries.update(done)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    # A commit moved its notes on already (above): whatever is left was rolled back.
    notes: dict[SessionTransaction, set[Entry]] | None = session.info.get(_NOTES)
    if notes is None:
        return
    notes.pop(transaction, None)
    if transaction.parent is None:
        session.info.pop(_NOTES, None)


class Collected:
    """What the transactions committed inside a :func:`collect` block audited."""

    def __init__(self) -> None:
        self.entries: set[Entry] = set()

    @property
    def changes(self) -> Changes:
        return Changes(frozenset(self.entries))


@contextmanager
def collect() -> Iterator[Collected]:
    """Gather what every transaction committed in this block, on this thread, audited;
    a transaction rolled back adds nothing. Blocks may nest (each sees its own)."""
    collected = Collected()
    token = _collectors.set((*_collectors.get(), collected))
    try:
        yield collected
    finally:
        _collectors.reset(token)


# --- someone else's changes ---------------------------------------------------------------
@dataclass(frozen=True)
class ChangeStamp:
    """Where the database's history stood at one moment."""

    last_audit: int
    last_run: int
    runs_undone: int


@dataclass(frozen=True)
class ChangesSince:
    """A new stamp, and what was audited since the old one."""

    stamp: ChangeStamp
    changes: Changes = NOTHING

    @property
    def any(self) -> bool:
        return self.changes.any

    @property
    def entities(self) -> frozenset[str]:
        return self.changes.entities

    @property
    def kinds(self) -> frozenset[str]:
        return self.changes.kinds


def change_stamp(session: Session) -> ChangeStamp:
    last_audit = session.scalar(select(func.max(AuditEntry.id))) or 0
    last_run, undone = session.execute(
        select(func.max(YearEndRun.id), func.count(YearEndRun.undone_at))
    ).one()
    return ChangeStamp(last_audit, last_run or 0, undone or 0)


def changes_since(session: Session, stamp: ChangeStamp | None) -> ChangesSince:
    """The current stamp, and what changed since ``stamp`` (nothing when ``stamp`` is None:
    the first look only takes the stamp)."""
    now = change_stamp(session)
    if stamp is None or now == stamp:
        return ChangesSince(now)
    entries: set[Entry] = {
        (str(action), entity, field)
        for action, entity, field in session.execute(
            select(AuditEntry.action, AuditEntry.entity, AuditEntry.field)
            .where(AuditEntry.id > stamp.last_audit)
            .distinct()
        )
    }
    if (now.last_run, now.runs_undone) != (stamp.last_run, stamp.runs_undone):
        entries.add(("year_end_run_changed", YEAR_END_RUN, None))
    return ChangesSince(now, Changes(frozenset(entries)))
