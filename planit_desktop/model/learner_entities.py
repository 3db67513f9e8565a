"""Tables of learner corrections: support requests, and the "created in class" check flag.

Kept apart from :mod:`planit_desktop.model.entities` (like the rollover's tables); importing
this module registers ``support_request`` on the same ``Base.metadata``; the
``learner.needs_check`` column of the same revision is declared on :class:`Learner` itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

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


#: ``Learner.needs_check`` ("created in class"), kept as a name for typed queries.
NEEDS_CHECK = Learner.needs_check
