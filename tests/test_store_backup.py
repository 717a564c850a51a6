from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from weerbaar.errors import WorkspaceError
from weerbaar.store import open_workspace
from weerbaar.store.backup import backup_database, libpq_arguments

WRITER = """
import sys, time
from weerbaar.store import open_workspace
ws = open_workspace(sys.argv[1])
for i in range(100000):
    with ws.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO organisations (code, name, type, fictional, created_at) "
            f"VALUES ('X{i}', 'Org {i}', 'overig', TRUE, 't')"
        )
    print(i, flush=True)
"""


def _codes_in_copy(dest: Path, store: str, tmp_path: Path) -> list[str]:
    """The organisation codes in a backup: the SQLite copy itself, or a pg_dump archive
    restored with pg_restore into a new database."""
    if store == "sqlite":
        db = sqlite3.connect(dest)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [r[0] for r in db.execute("SELECT code FROM organisations")]
    restored = open_workspace(tmp_path / "teruggezet")
    conninfo, env = libpq_arguments(restored.engine.url)
    with restored.write() as conn:  # an empty database for pg_restore
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={conninfo}", str(dest)], env=env, check=True
    )
    with restored.read() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT code FROM organisations")]


@pytest.mark.slow
def test_store_backup_is_consistent_while_a_writer_runs(tmp_path: Path, store: str) -> None:
    root = tmp_path / "ws"
    open_workspace(root).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root)], stdout=subprocess.PIPE, text=True
    )
    try:
        for _ in range(50):  # let it commit a while
            proc.stdout.readline()
        ws = open_workspace(root)
        dest = backup_database(ws, tmp_path / "kopie.sqlite")
        time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
    codes = _codes_in_copy(dest, store, tmp_path)
    n = len(codes)
    assert n >= 50
    # the copy holds a prefix of the committed rows: X0 .. X(n-1), nothing half-written
    assert sorted(codes, key=lambda c: int(c[1:])) == [f"X{i}" for i in range(n)]
    with pytest.raises(WorkspaceError, match="bestaat al"):
        backup_database(ws, dest)
