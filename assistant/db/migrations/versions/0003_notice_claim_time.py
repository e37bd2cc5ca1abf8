"""When an announcement was claimed, so a claim is taken over only after the claimer has been silent."""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add notices.claimed_at."""
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("claimed_at")
