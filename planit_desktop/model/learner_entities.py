"""Tables of learner corrections: support requests, and the "created in class" check flag.

Kept apart from :mod:`planit_desktop.model.entities` (like the rollover's tables); importing
this module registers ``support_request`` on the same ``Base.metadata`` and maps the
``learner.needs_check`` column (revision 0003) onto :class:`Learner` as ``Learner.needs_check``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, false, func
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

from planit_desktop.model.entities import Base, Learner


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


# "Created in class": a quick-created learner waits for an administrator to confirm or merge.
# Mapped here rather than in entities.py so that the learner class stays as it was; declarative
# classes accept a new column after the fact (added to the table and to the mapper).
if "needs_check" not in Learner.__table__.c:
    Learner.needs_check = mapped_column(
        "needs_check", Boolean, default=False, server_default=false(), nullable=False, index=True
    )

#: ``Learner.needs_check`` for typed queries: ``select(Learner).where(NEEDS_CHECK)``.
NEEDS_CHECK: InstrumentedAttribute[bool] = Learner.needs_check  # type: ignore[attr-defined]
