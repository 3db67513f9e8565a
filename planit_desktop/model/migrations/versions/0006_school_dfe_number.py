"""The school's DfE number: its local authority code and establishment number

The School Support Team finds a school by its DfE number (LAESTAB: a 3-digit local
authority code and a 4-digit establishment number); the support-request workbook carries
it. Both are empty until an administrator records them.

Revision ID: 0006_school_dfe_number
Revises: 0005_audit_chain
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_school_dfe_number"
down_revision = "0005_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("school") as batch:
        batch.add_column(sa.Column("la_code", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("establishment_number", sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("school") as batch:
        batch.drop_column("establishment_number")
        batch.drop_column("la_code")
