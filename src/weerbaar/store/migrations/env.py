"""Alembic environment: runs on the connection handed over by weerbaar.store.migrate."""

from alembic import context
from sqlalchemy import create_engine

from weerbaar.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=conn,
        target_metadata=metadata,
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # alembic CLI for developers: sqlalchemy.url from the config
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)
