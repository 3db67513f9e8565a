"""Tables of the year-end rollover: the journal that makes a rollover undoable, and group renames.

Kept apart from :mod:`planit_desktop.model.entities` because only the rollover writes them;
importing this module registers the tables on the same ``Base.metadata``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from planit_desktop.model.entities import Base


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
