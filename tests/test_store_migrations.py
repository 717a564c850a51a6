from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from weerbaar.store import open_workspace
from weerbaar.store.migrate import current_revision, head_revision
from weerbaar.store.schema import metadata


def test_store_migrations_match_schema(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws")
    with ws.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"schema.py and the migrations differ: {diff}"
    assert current_revision(ws) == head_revision()


def test_store_sqlite_pragmas_and_reopen(tmp_path: Path, store: str) -> None:
    if store != "sqlite":
        pytest.skip("SQLite-instellingen; PostgreSQL: tests/test_store_databases.py")
    ws = open_workspace(tmp_path / "ws")
    with ws.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    with ws.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO organisations (code, name, type, fictional, created_at) "
            "VALUES ('GM9999', 'Test', 'gemeente', TRUE, 'x')"
        )
    ws.close()
    # reopening runs no migration again and keeps the data
    ws2 = open_workspace(tmp_path / "ws")
    with ws2.read() as conn:
        assert conn.exec_driver_sql("SELECT name FROM organisations").scalar() == "Test"
    db = sqlite3.connect(tmp_path / "ws" / "weerbaar.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_store_write_rolls_back_on_error(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws")
    try:
        with ws.write() as conn:
            conn.exec_driver_sql(
                "INSERT INTO organisations (code, name, type, fictional, created_at) "
                "VALUES ('GM9998', 'Weg', 'gemeente', TRUE, 'x')"
            )
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with ws.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM organisations").scalar() == 0
