"""The schema's migrations, on SQLite and PostgreSQL alike: up from nothing to exactly the tables the models
declare, all the way down, up again."""
from __future__ import annotations

from sqlalchemy import inspect


def test_every_migration_runs_up_and_down_on_both_databases(empty_database_url):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    from assistant.db.database import MIGRATIONS, Database
    from assistant.db.models import Base

    database = Database(empty_database_url)
    assert database.revision() is None
    database.migrate()
    assert database.revision() == database.head()
    assert set(inspect(database.engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    with database.engine.connect() as connection:  # the migrations build what the models say: no drift
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert database.revision() is None
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}

    database.migrate()
    assert database.revision() == database.head()
    database.close()
