"""Rollover journal (prior values of every learner a rollover changed) and group rename batches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 12:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollover_journal",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("old_year_group", sa.Integer(), nullable=False),
        sa.Column("old_status", sa.String(length=20), nullable=False),
        sa.Column("old_left_on", sa.Date(), nullable=True),
        sa.Column("old_left_reason", sa.String(length=500), nullable=True),
        sa.Column("old_version", sa.Integer(), nullable=False),
        sa.Column("new_year_group", sa.Integer(), nullable=False),
        sa.Column("new_status", sa.String(length=20), nullable=False),
        sa.Column("new_left_on", sa.Date(), nullable=True),
        sa.Column("new_left_reason", sa.String(length=500), nullable=True),
        sa.Column("new_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_rollover_journal_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["year_end_run.id"],
            name=op.f("fk_rollover_journal_run_id_year_end_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "learner_id", name=op.f("pk_rollover_journal")),
    )
    with op.batch_alter_table("rollover_journal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rollover_journal_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "group_rename_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column(
            "renamed_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("renamed_by", sa.String(length=100), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["year_end_run.id"],
            name=op.f("fk_group_rename_batch_run_id_year_end_run"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_rename_batch")),
    )
    op.create_table(
        "group_rename",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("old_name", sa.String(length=100), nullable=False),
        sa.Column("new_name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["group_rename_batch.id"],
            name=op.f("fk_group_rename_batch_id_group_rename_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["learner_group.id"],
            name=op.f("fk_group_rename_group_id_learner_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "group_id", name=op.f("pk_group_rename")),
    )


def downgrade() -> None:
    op.drop_table("group_rename")
    op.drop_table("group_rename_batch")
    with op.batch_alter_table("rollover_journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rollover_journal_learner_id"))
    op.drop_table("rollover_journal")
