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


def test_replicas_starting_together_on_an_empty_postgresql_migrate_it_once():
    """Each replica migrates at startup; on PostgreSQL they take turns (an advisory lock) and the later
    ones find the schema done, instead of failing on tables another one just created."""
    import threading

    from assistant.db.database import Database
    from tests.support.postgres import scratch_postgres

    with scratch_postgres() as url:
        replicas = [Database(url) for _ in range(4)]
        start = threading.Barrier(len(replicas))
        failures: list[BaseException] = []

        def boot(database) -> None:
            start.wait()
            try:
                database.migrate()
            except BaseException as exc:  # noqa: BLE001 - every failure is the finding
                failures.append(exc)

        threads = [threading.Thread(target=boot, args=(database,), daemon=True) for database in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "the migrations deadlocked"
        assert failures == [] and {database.revision() for database in replicas} == {replicas[0].head()}
        for database in replicas:
            database.close()
