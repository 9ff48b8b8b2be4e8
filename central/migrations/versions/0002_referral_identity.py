"""A referral's identity is (referral id, revision), whichever device sent it.

Before, the unique key held the device too, so a laptop given a new token after a lost answer
could store a referral twice (issue 14, weak point 1). Rows that already doubled so keep the
first stored (its receipt is the one the laptop was most likely to have seen); the status
history of the others moves to it, so nothing an officer at central recorded is lost.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# For every row: the first row stored under its (referral id, revision).
_UPDATE_EVENTS = """
    UPDATE status_events SET submission_id = (
        SELECT MIN(k.id) FROM submissions AS k, submissions AS s
        WHERE s.id = status_events.submission_id
          AND k.referral_id = s.referral_id AND k.revision = s.revision
    )
"""
_DELETE_TWINS = """
    DELETE FROM submissions WHERE id NOT IN (
        SELECT MIN(id) FROM submissions GROUP BY referral_id, revision
    )
"""


def upgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text(_UPDATE_EVENTS))
    bind.execute(sa.text(_DELETE_TWINS))
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("uq_submission_key", type_="unique")
        batch.create_unique_constraint("uq_submission_key", ["referral_id", "revision"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("uq_submission_key", type_="unique")
        batch.create_unique_constraint(
            "uq_submission_key", ["device_id", "referral_id", "revision"]
        )
