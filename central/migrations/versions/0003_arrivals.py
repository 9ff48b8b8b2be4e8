"""Central's own append-only record of what arrived from which device (issue 13, audit trail).

One row per item of every batch: device, referral id, revision, what central answered, who
queued it and when (as the device says), when it arrived. No case content. Triggers make the
database itself refuse to update or delete a row, so "append-only" does not rest on central's
code alone.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_REFUSAL = "arrivals are append-only"

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER arrivals_no_{verb.lower()} BEFORE {verb} ON arrivals
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"""
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION arrivals_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$ LANGUAGE plpgsql
"""
_POSTGRES_TRIGGER = """
    CREATE TRIGGER arrivals_append_only BEFORE UPDATE OR DELETE ON arrivals
    FOR EACH ROW EXECUTE FUNCTION arrivals_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "arrivals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("device_id", sa.Integer(), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("referral_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("queued_by", sa.String(120), nullable=False),
        sa.Column("queued_at", sa.String(40), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_arrivals_device_id", "arrivals", ["device_id"])
    op.create_index("ix_arrival_referral", "arrivals", ["referral_id", "revision"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(_POSTGRES_FUNCTION))
        bind.execute(sa.text(_POSTGRES_TRIGGER))
    else:
        for trigger in _SQLITE_TRIGGERS:
            bind.execute(sa.text(trigger))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("DROP TRIGGER IF EXISTS arrivals_append_only ON arrivals"))
        bind.execute(sa.text("DROP FUNCTION IF EXISTS arrivals_append_only()"))
    op.drop_index("ix_arrival_referral", table_name="arrivals")
    op.drop_index("ix_arrivals_device_id", table_name="arrivals")
    op.drop_table("arrivals")
