"""The registry's identity: a random number drawn once when the registry is created, so what is derived from
it elsewhere (answers cached in Redis, kept by generation) tells a rebuilt or replaced database, whose
generations start again at 1, from the one it replaced."""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STATE = sa.table("state", sa.column("key", sa.String), sa.column("value", sa.BigInteger))


def upgrade() -> None:
    """Draw the identity (a positive 62-bit number) into the registry's counters."""
    op.bulk_insert(STATE, [{"key": "identity", "value": secrets.randbits(62) or 1}])


def downgrade() -> None:
    """Forget it."""
    op.execute(STATE.delete().where(STATE.c.key == "identity"))
