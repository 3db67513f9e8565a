"""Tables of the year-end wizard and checklist: tasks marked done, and the wizard's draft.

Kept apart from :mod:`planit_desktop.model.entities` (like the rollover's tables); importing
this module registers ``checklist_item`` and ``year_end_draft`` on the same ``Base.metadata``
(revision 0004).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planit_desktop.model.entities import Base


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
