"""Plain SQL on a workspace's database, whichever store the test run uses (SQLite file or
the workspace's own PostgreSQL database), for tests that look at the stored rows from
outside the library (another process may be writing)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from weerbaar.store.db import DB_NAME, database_url


def workspace_url(ws_dir: Path) -> str | None:
    """The SQLAlchemy URL of the workspace in ``ws_dir``; ``None`` while it does not exist."""
    url = database_url(ws_dir, create=False)
    if url is None:
        path = Path(ws_dir) / DB_NAME
        return f"sqlite:///{path}" if path.exists() else None
    return url


def rows(ws_dir: Path, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    """The rows of one query (named parameters, ``:name``)."""
    url = workspace_url(ws_dir)
    if url is None:
        raise FileNotFoundError(f"geen werkruimte in {ws_dir}")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params or {})]
    finally:
        engine.dispose()


def scalar(ws_dir: Path, sql: str, params: dict[str, Any] | None = None) -> Any:
    return rows(ws_dir, sql, params)[0][0]


def integrity_ok(ws_dir: Path) -> bool:
    """SQLite's integrity check; PostgreSQL: the database answers and its tables are
    readable (it keeps its own integrity)."""
    url = workspace_url(ws_dir)
    if url is not None and url.startswith("sqlite"):
        return scalar(ws_dir, "PRAGMA integrity_check") == "ok"
    return scalar(ws_dir, "SELECT count(*) FROM documents") >= 0


def restore_backup(copy: Path, into: Path) -> Path:
    """A workspace folder whose database is the backup ``copy`` (made by
    ``weerbaar werkruimte reservekopie``): the SQLite file itself, or a pg_dump archive
    restored with pg_restore into the new workspace's own database."""
    from weerbaar.store import open_workspace
    from weerbaar.store.backup import libpq_arguments

    if copy.read_bytes()[:16].startswith(b"SQLite format 3"):
        into.mkdir(parents=True)
        (into / DB_NAME).write_bytes(copy.read_bytes())
        return into
    ws = open_workspace(into)
    conninfo, env = libpq_arguments(ws.engine.url)
    with ws.write() as conn:  # an empty database for pg_restore
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    ws.close()
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={conninfo}", str(copy)], env=env, check=True
    )
    return into
