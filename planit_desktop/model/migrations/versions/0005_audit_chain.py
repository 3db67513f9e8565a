"""The audit log becomes append-only and hash-chained

Every entry gets its place in the chain (``seq``), the hash of the entry before it and its own
hash (defined in :mod:`planit_desktop.model.services.audit`); the entries already there are
chained in the order of their ids. On SQLite, triggers refuse any UPDATE or DELETE of an
entry, except the removal of an old leaver's personal
data; on PostgreSQL the coordinators' role is granted INSERT and SELECT only (README), and
that removal goes through a function that runs with the owner's rights.

Revision ID: 0005_audit_chain
Revises: 0004
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0005_audit_chain"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Frozen here as the migration made them: later code may not change what it wrote.
REDACTED = "(removed with the learner''s personal data)"  # SQL-quoted
REDACT_FUNCTION = "planit_redact_learner_audit"
_BATCH = 5_000

# Only what the redaction may change: the values go, their hash comes; all else stays.
_REDACTION = f"""
    OLD.entity = 'learner' AND OLD.values_hash IS NULL
    AND NEW.old_value IS NULL AND NEW.new_value IS NULL AND NEW.detail = '{REDACTED}'
    AND length(NEW.values_hash) = 64
    AND NEW.id = OLD.id AND NEW.seq IS OLD.seq AND NEW.prev_hash IS OLD.prev_hash
    AND NEW.entry_hash IS OLD.entry_hash AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor
    AND NEW.action IS OLD.action AND NEW.entity IS OLD.entity
    AND NEW.entity_id IS OLD.entity_id AND NEW.field IS OLD.field
"""
# (The trigger names no other table: a later migration that rebuilds a table it named, as
# SQLite's ALTER TABLE must, would fail. That the learner is gone, and a removal recorded
# after the entry, is checked by audit --verify instead.)

SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_entry_never_deleted BEFORE DELETE ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'audit entries are never deleted'); END""",
    f"""CREATE TRIGGER audit_entry_never_changed BEFORE UPDATE ON audit_entry
    WHEN NOT ({_REDACTION})
    BEGIN SELECT RAISE(ABORT, 'audit entries are never changed'); END""",
)
# No trigger on INSERT: one would double the cost of the rollover's 100,000 entries. An
# INSERT OR REPLACE over an entry (which deletes it without firing the DELETE trigger) still
# shows: the chain has a gap or a changed entry there.


def _postgres_function(schema: str) -> str:
    # SECURITY DEFINER: runs as the owner, who may UPDATE; it blanks only entries about
    # learners already deleted, and only once, so the role gains no other way to change one.
    return f"""
CREATE FUNCTION {REDACT_FUNCTION}(entry_ids bigint[], digests text[]) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $$
    WITH blanked AS (
        UPDATE audit_entry AS a
           SET old_value = NULL, new_value = NULL, detail = '{REDACTED}',
               values_hash = r.digest
          FROM unnest(entry_ids, digests) AS r(id, digest)
         WHERE a.id = r.id AND a.entity = 'learner' AND a.values_hash IS NULL
           AND r.digest ~ '^[0-9a-f]{{64}}$'
           AND NOT EXISTS (SELECT 1 FROM learner AS l WHERE l.id = a.entity_id)
        RETURNING 1
    )
    SELECT count(*)::integer FROM blanked
$$"""


def _chain_existing_entries(connection: sa.Connection) -> None:
    from planit_desktop.model.services.audit import (
        GENESIS,
        entry_hash,
        stored_time,
        values_hash,
    )

    audit = sa.table(
        "audit_entry",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer),
        sa.column("field", sa.String),
        sa.column("old_value", sa.Text),
        sa.column("new_value", sa.Text),
        sa.column("detail", sa.Text),
        sa.column("seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("entry_hash", sa.String),
    )
    chain = (
        sa.update(audit)
        .where(audit.c.id == sa.bindparam("entry_id"))
        .values(
            seq=sa.bindparam("place"),
            prev_hash=sa.bindparam("prev"),
            entry_hash=sa.bindparam("own"),
        )
    )
    seq, prev = 0, GENESIS
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(audit).where(audit.c.id > last_id).order_by(audit.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        updates = []
        for row in rows:
            seq += 1
            at: datetime = row.at
            own = entry_hash(
                seq=seq,
                prev_hash=prev,
                at=stored_time(at),
                actor=row.actor,
                action=row.action,
                entity=row.entity,
                entity_id=row.entity_id,
                field=row.field,
                of_values=values_hash(row.old_value, row.new_value, row.detail),
            )
            updates.append({"entry_id": row.id, "place": seq, "prev": prev, "own": own})
            prev = own
        connection.execute(chain, updates)
        last_id = rows[-1].id


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("values_hash", sa.String(length=64), nullable=True))
    if connection.dialect.name == "postgresql":
        # No entry may be added while the ones there are chained.
        connection.execute(
            sa.text("LOCK TABLE audit_entry IN SHARE ROW EXCLUSIVE MODE"),
        )
    _chain_existing_entries(connection)
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ux_audit_entry_seq", ["seq"], unique=True)
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        connection.exec_driver_sql(_postgres_function(str(schema)))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for name in ("never_changed", "never_deleted"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS audit_entry_{name}")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {REDACT_FUNCTION}(bigint[], text[])")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ux_audit_entry_seq")
        batch_op.drop_column("values_hash")
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
