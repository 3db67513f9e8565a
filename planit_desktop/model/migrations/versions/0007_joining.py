"""Learners joining next academic year: the status "joining"

A secondary school imports its intake from the primaries' transfer files in July, while it
is still in the ending year; those learners are recorded as joining (with the year group
they will have) and put on roll by the rollover. The status column's CHECK constraint gains
the value; nothing else changes.

On SQLite the constraint is part of the table's text. Rebuilding the table (Alembic's batch
mode) would DROP it, and with foreign keys enforced that deletes every learner's group
memberships, credentials and support requests by cascade; so the text is edited in place,
as SQLite's own documentation describes for a change that no stored row can contradict
(a CHECK that allows one value more).

Revision ID: 0007_joining
Revises: 0005_audit_chain
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_joining"
down_revision = "0006_school_dfe_number"
branch_labels = None
depends_on = None

#: Frozen here as the migration made them: later code may not change what it wrote.
CONSTRAINT = "ck_learner_learner_status"
BEFORE = ("on_roll", "left", "completed")
AFTER = ("on_roll", "left", "completed", "joining")


def _check(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _sqlite_replace(old: str, new: str) -> None:
    connection = op.get_bind()
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'learner'"
    ).scalar()
    if not isinstance(sql, str) or sql.count(old) != 1:
        raise RuntimeError(f"The learner table's status constraint is not “{old}”.")
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        connection.execute(
            sa.text(
                "UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'learner'"
            ),
            {"sql": sql.replace(old, new)},
        )
        connection.exec_driver_sql(f"PRAGMA schema_version = {int(version or 0) + 1}")
    finally:
        connection.exec_driver_sql("PRAGMA writable_schema = OFF")


def _replace(values_before: tuple[str, ...], values_after: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_replace(_check(values_before), _check(values_after))
        return
    op.drop_constraint(op.f(CONSTRAINT), "learner", type_="check")
    op.create_check_constraint(op.f(CONSTRAINT), "learner", _check(values_after))


def upgrade() -> None:
    _replace(BEFORE, AFTER)


def downgrade() -> None:
    joining = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM learner WHERE status = 'joining'"))
        .scalar()
    )
    if joining:
        raise RuntimeError(
            f"{joining} learners are recorded as joining, which the older version cannot "
            "hold: run the year end (or remove them) first."
        )
    _replace(AFTER, BEFORE)
