"""The document registry moves into the one database: documents, chunks, pending and garbage vector sets,
and the registry's counters (rows of a data directory's old `index/registry.sqlite` are copied in when the
knowledge base first opens: `assistant.knowledge.registry`)."""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the registry's tables and its two counters."""
    op.create_table(
        "documents",
        sa.Column("doc_id", sa.String, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String, nullable=False),
        sa.Column("chunk_count", sa.Integer, nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.Float, nullable=False),
    )
    op.create_table(
        "chunks",
        sa.Column("chunk_id", sa.String, primary_key=True),
        sa.Column("vector_id", sa.String, nullable=False, unique=True),
        sa.Column("doc_id", sa.String, nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("section", sa.Text, nullable=False),
        sa.Column("page", sa.Integer, nullable=True),
        sa.Column("page_end", sa.Integer, nullable=True),
        sa.Column("heading", sa.Text, nullable=False),
        sa.Column("section_map", sa.Text, nullable=False),
        sa.Column("terms", sa.Text, nullable=False),
        sa.Column("folded_terms", sa.Text, nullable=False),
    )
    op.create_index("chunks_by_doc", "chunks", ["doc_id", "ordinal"])
    for name in ("pending", "garbage"):
        op.create_table(
            name,
            sa.Column("doc_id", sa.String, primary_key=True),
            sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        )
    state = op.create_table(
        "state",
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    # both counters exist from the start, so bumping one is a plain UPDATE on every database
    op.bulk_insert(state, [{"key": "generation", "value": 0}, {"key": "version", "value": 0}])


def downgrade() -> None:
    """Drop them."""
    for name in ("state", "garbage", "pending"):
        op.drop_table(name)
    op.drop_index("chunks_by_doc", table_name="chunks")
    op.drop_table("chunks")
    op.drop_table("documents")
