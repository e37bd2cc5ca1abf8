"""The frontends' state moves into the one database: the rate limiters' buckets (were limits.sqlite) and
the Telegram bot's chats, subscribers, eligibility checks in progress, votes and slow-down notices (were
telegram.sqlite). Ids Telegram gives out (chats, users, messages) exceed 32 bits: BIGINT."""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "rate_buckets",
        sa.Column("name", sa.String(16), primary_key=True),
        sa.Column("client", sa.String(255), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("stamp", sa.Float, nullable=False),
    )
    op.create_index("ix_rate_buckets_stamp", "rate_buckets", ["stamp"])
    op.create_table(
        "telegram_chats",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("blocked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "telegram_subscribers",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "telegram_checks",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("history", sa.Text, nullable=True),
        sa.Column("message_id", sa.BigInteger, nullable=True),
        sa.Column("replaced_message_id", sa.BigInteger, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "telegram_votes",
        sa.Column("answer_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("previous_rating", sa.String(8), nullable=True),
        sa.Column("feedback_id", sa.Integer, nullable=True),
    )
    op.create_table(
        "telegram_slow_down",
        sa.Column("client", sa.String(255), primary_key=True),
        sa.Column("until", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Drop them."""
    for table in ("telegram_slow_down", "telegram_votes", "telegram_checks", "telegram_subscribers", "telegram_chats"):
        op.drop_table(table)
    op.drop_index("ix_rate_buckets_stamp", "rate_buckets")
    op.drop_table("rate_buckets")
