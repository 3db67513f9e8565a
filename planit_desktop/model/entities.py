"""The school's tables as typed SQLAlchemy 2.0 mapped classes, all in this one place.

Constraints that protect the data (unique UPN, unique SIMS number, unique names and logins,
foreign keys) live in the database itself, so no code path can get round them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from planit_desktop.model.kinds import LearnerOrigin, LearnerStatus, StaffRole

# Named constraints keep Alembic migrations (and SQLite batch mode) predictable for years.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as the value text with a CHECK constraint: readable in any SQL tool.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class School(Base):
    """The one row of school settings."""

    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lowest_year: Mapped[int] = mapped_column(Integer, default=7)
    highest_year: Mapped[int] = mapped_column(Integer, default=11)
    # The calendar year in which the current academic year starts: 2025 means 2025/26.
    academic_year: Mapped[int] = mapped_column(Integer)
    # Years whose learners choose subjects (the source document: Years 9–11).
    first_subject_year: Mapped[int] = mapped_column(Integer, default=9)
    # The DfE number (LAESTAB) the School Support Team knows the school by: a 3-digit local
    # authority code and a 4-digit establishment number; empty until recorded.
    la_code: Mapped[str | None] = mapped_column(String(3))
    establishment_number: Mapped[str | None] = mapped_column(String(4))

    __table_args__ = (
        CheckConstraint("lowest_year <= highest_year", name="year_range"),
        CheckConstraint("id = 1", name="single_row"),
    )


class Learner(Base):
    __tablename__ = "learner"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_names: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    year_group: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(1))
    ethnicity: Mapped[str | None] = mapped_column(String(4))
    upn: Mapped[str | None] = mapped_column(String(13), unique=True)
    sims_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[LearnerStatus] = mapped_column(
        _enum(LearnerStatus, "learner_status"), default=LearnerStatus.ON_ROLL
    )
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(String(500))
    origin: Mapped[LearnerOrigin] = mapped_column(
        _enum(LearnerOrigin, "learner_origin"), default=LearnerOrigin.IMPORT
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    # "Created in class": waits for an administrator to confirm or merge it (revision 0003).
    needs_check: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True
    )
    # Bumped by every change, so that a second coordinator's stale save is detected.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_learner_status_year_group", "status", "year_group"),
        Index("ix_learner_surname_first_names", "surname", "first_names"),
        Index("ix_learner_date_of_birth", "date_of_birth"),
    )


class Group(Base):
    """A tutor (Plan-it) group. Its name stays the same across a rollover."""

    __tablename__ = "learner_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class GroupMembership(Base):
    __tablename__ = "group_membership"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("learner_group.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    login: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class SupervisorAccess(Base):
    """A supervisor's access to one group for one academic year; past years are history."""

    __tablename__ = "supervisor_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("learner_group.id", ondelete="CASCADE"))
    academic_year: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    granted_by: Mapped[str | None] = mapped_column(String(100))
    # Set when a rollover ends the year's access; the row is kept as history.
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("year_end_run.id"))

    __table_args__ = (
        UniqueConstraint("staff_id", "group_id", "academic_year"),
        Index("ix_supervisor_access_year_staff", "academic_year", "staff_id"),
    )


class Subject(Base):
    __tablename__ = "subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # A retired subject is no longer offered but keeps its history.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class SubjectOffer(Base):
    """A subject offered to a year group. Offers stay with the year group across rollovers."""

    __tablename__ = "subject_offer"

    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True
    )
    year_group: Mapped[int] = mapped_column(Integer, primary_key=True)


class LearnerCredential(Base):
    """A learner's sign-in secrets, as argon2id hashes only."""

    __tablename__ = "learner_credential"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    secondary_hash: Mapped[str | None] = mapped_column(String(200))
    secondary_issued_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who did what, when, with the old and new value. Never updated, never deleted.

    ``seq``, ``prev_hash`` and ``entry_hash`` chain the entries (see
    :mod:`planit_desktop.model.services.audit`, which defines the hash); ``values_hash`` is
    set only when an old leaver's personal data is removed from the entry, and holds the hash
    of the values removed.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
    values_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_entry_entity", "entity", "entity_id"),
        # One entry per place in the chain: two writers building on the same head cannot
        # both commit, so the chain never forks.
        Index("ux_audit_entry_seq", "seq", unique=True),
    )


class YearEndRun(Base):
    """One rollover from one academic year to the next: who, when, what, and its undo."""

    __tablename__ = "year_end_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_year: Mapped[int] = mapped_column(Integer)
    to_year: Mapped[int] = mapped_column(Integer)
    run_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    run_by: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    backup_path: Mapped[str | None] = mapped_column(Text)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))


# --- Learners' corrections: support requests to the School Support Team.


class SupportRequest(Base):
    """One corrected detail to pass on to the School Support Team (sent once exported)."""

    __tablename__ = "support_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.current_timestamp()
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    sent_by: Mapped[str | None] = mapped_column(String(100))


#: ``Learner.needs_check`` ("created in class"), kept as a name for typed queries.
NEEDS_CHECK = Learner.needs_check


# --- The rollover: the journal that makes a rollover undoable, and group renames.


class RolloverJournal(Base):
    """One learner changed by one rollover: the values before and after, for undo and report.

    ``new_version`` is the learner's version right after the rollover; a learner whose
    version has moved on since was edited afterwards, and undo leaves them alone.
    """

    __tablename__ = "rollover_journal"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("year_end_run.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    old_year_group: Mapped[int] = mapped_column(Integer)
    old_status: Mapped[str] = mapped_column(String(20))
    old_left_on: Mapped[date | None] = mapped_column(Date)
    old_left_reason: Mapped[str | None] = mapped_column(String(500))
    old_version: Mapped[int] = mapped_column(Integer)
    new_year_group: Mapped[int] = mapped_column(Integer)
    new_status: Mapped[str] = mapped_column(String(20))
    new_left_on: Mapped[date | None] = mapped_column(Date)
    new_left_reason: Mapped[str | None] = mapped_column(String(500))
    new_version: Mapped[int] = mapped_column(Integer)


class GroupRenameBatch(Base):
    """Group names changed together in one step (usually just after a rollover); undoable."""

    __tablename__ = "group_rename_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("year_end_run.id", ondelete="SET NULL"))
    renamed_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    renamed_by: Mapped[str] = mapped_column(String(100))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))


class GroupRenameEntry(Base):
    """One group's old and new name within a rename batch."""

    __tablename__ = "group_rename"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("group_rename_batch.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("learner_group.id", ondelete="CASCADE"), primary_key=True
    )
    old_name: Mapped[str] = mapped_column(String(100))
    new_name: Mapped[str] = mapped_column(String(100))


# --- The year-end wizard and checklist: tasks marked done, and the wizard's draft.


class ChecklistMark(Base):
    """One year-end task marked done for one academic year: who and when."""

    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    done_by: Mapped[str] = mapped_column(String(100))
    done_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("academic_year", "key"),)


class YearEndDraft(Base):
    """The year-end wizard's unfinished choices for the rollover out of ``from_year`` (JSON).

    One per academic year, so a coordinator may continue on another computer sharing the
    database; discarded when the rollover is done or on request.
    """

    __tablename__ = "year_end_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_year: Mapped[int] = mapped_column(Integer, unique=True)
    choices: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(100))
    saved_at: Mapped[datetime] = mapped_column(DateTime)
