"""Telegram conversations move from `telegram-<chat>` to `telegram:<chat>`, a namespace the HTTP API's
session ids cannot name."""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OLD, _NEW = "telegram-", "telegram:"


def _rename(old_prefix: str, new_prefix: str) -> None:
    conversations = sa.table("conversations", sa.column("id", sa.String), sa.column("channel", sa.String),
                             sa.column("lang", sa.String), sa.column("created_at", sa.DateTime),
                             sa.column("updated_at", sa.DateTime))
    answers = sa.table("answers", sa.column("conversation_id", sa.String))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(conversations).where(conversations.c.channel == "telegram", conversations.c.id.like(f"{old_prefix}%"))
    ).mappings().all()
    for row in rows:  # insert the new id, repoint the answers, then drop the old id: foreign keys hold throughout
        new_id = new_prefix + row["id"][len(old_prefix):]
        bind.execute(sa.insert(conversations).values({**row, "id": new_id}))
        bind.execute(sa.update(answers).where(answers.c.conversation_id == row["id"]).values(conversation_id=new_id))
        bind.execute(sa.delete(conversations).where(conversations.c.id == row["id"]))


def upgrade() -> None:
    """Rename the Telegram conversations."""
    _rename(_OLD, _NEW)


def downgrade() -> None:
    """Back to the old names."""
    _rename(_NEW, _OLD)
