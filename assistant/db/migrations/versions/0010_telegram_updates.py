"""Telegram updates already taken by a replica: one row per update_id, so an update delivered to two
replicas' webhooks (or delivered again by Telegram) is handled once."""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create telegram_updates."""
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("received_at", sa.Float, nullable=False, index=True),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_index("ix_telegram_updates_received_at", "telegram_updates")
    op.drop_table("telegram_updates")
