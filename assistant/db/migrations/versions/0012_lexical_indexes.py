"""The lexical (BM25) index of each registry generation, published by the writer in the commit that makes
the generation live, so every replica loads it instead of building its own (the current and the previous
generation are kept)."""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create lexical_indexes."""
    op.create_table(
        "lexical_indexes",
        sa.Column("generation", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("built_at", sa.Float, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("lexical_indexes")
