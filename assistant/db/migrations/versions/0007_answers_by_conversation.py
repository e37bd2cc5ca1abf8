"""A conversation's last turns are read from the answers (written once; `conversations.sqlite` is gone):
index them by conversation and time."""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the index."""
    op.create_index("answers_by_conversation", "answers", ["conversation_id", "created_at"])


def downgrade() -> None:
    """Drop it."""
    op.drop_index("answers_by_conversation", table_name="answers")
