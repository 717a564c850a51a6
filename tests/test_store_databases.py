"""The store on SQLite and PostgreSQL: opening, migrating from several processes at once,
one writer at a time, the append-only decision log, and choosing the database."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from weerbaar.errors import WorkspaceError
from weerbaar.store import open_workspace
from weerbaar.store.db import (
    DATABASE_SERVER_ENV,
    DATABASE_URL_ENV,
    normalise_url,
    workspace_database_name,
    workspace_exists,
)
from weerbaar.store.migrate import current_revision, head_revision

OPEN = textwrap.dedent(
    """
    import sys
    from weerbaar.store import open_workspace
    from weerbaar.store.migrate import current_revision
    ws = open_workspace(sys.argv[1])
    print(current_revision(ws))
    """
)

READ_CHECK_WRITE = textwrap.dedent(
    """
    import sys
    from weerbaar.store import open_workspace
    ws = open_workspace(sys.argv[1])
    for _ in range(40):
        with ws.write() as conn:
            n = conn.exec_driver_sql("SELECT count(*) FROM organisations").scalar()
            conn.exec_driver_sql(
                "INSERT INTO organisations (code, name, type, fictional, created_at) "
                f"VALUES ('X{n}', 'Org {n}', 'overig', TRUE, 't')"
            )
    """
)


@pytest.mark.slow
def test_store_new_workspace_opened_by_several_processes_at_once(tmp_path: Path) -> None:
    """Parallel workers (or the web app's worker processes) may create one new workspace
    at the same moment: one of them migrates, the others wait, none fails."""
    root = tmp_path / "nieuw"
    procs = [
        subprocess.Popen([sys.executable, "-c", OPEN, str(root)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]  # fmt: skip
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in results]
    assert {out.strip() for out, _ in results} == {head_revision()}


@pytest.mark.slow
def test_store_one_writer_at_a_time(tmp_path: Path) -> None:
    """A write transaction that reads, decides and writes is never interleaved with
    another one (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL): two
    processes numbering rows by counting never produce the same number."""
    root = tmp_path / "ws"
    open_workspace(root).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", READ_CHECK_WRITE, str(root)],
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    ws = open_workspace(root)
    with ws.read() as conn:
        codes = [r[0] for r in conn.exec_driver_sql("SELECT code FROM organisations")]
    assert sorted(codes, key=lambda c: int(c[1:])) == [f"X{i}" for i in range(80)]
    ws.close()


def test_store_decision_log_is_append_only(tmp_path: Path) -> None:
    from weerbaar.review import record_decision
    from weerbaar.store.documents import add_plain_document

    ws = open_workspace(tmp_path / "ws")
    add_plain_document(ws, "GM0363", ["De gemeente oefent het stroomuitvalplan."], year=2025,
                       doc_type="beleidsplan")  # fmt: skip
    with ws.read() as conn:
        pid = conn.exec_driver_sql("SELECT id FROM passages").scalar()
    record_decision(ws, reviewer="anna", passage_id=pid, measure_id="3.1", relevant="ja")
    for sql in ("UPDATE decision_log SET reviewer = 'mallory'", "DELETE FROM decision_log"):
        with pytest.raises(DBAPIError, match="append-only"), ws.write() as conn:
            conn.exec_driver_sql(sql)
    with ws.read() as conn:
        assert conn.exec_driver_sql("SELECT reviewer FROM decision_log").scalar() == "anna"
    ws.close()


def test_store_which_database(tmp_path: Path, store: str, monkeypatch) -> None:
    """A libpq URL means psycopg 3; a database name per folder on a shared server; a
    folder with a SQLite database is never silently given an empty PostgreSQL one."""
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x") == "sqlite:///x"
    a = workspace_database_name(tmp_path / "Regio Noord 2025", "0123456789ab")
    assert a == "weerbaar_regio_noord_2025_0123456789ab" and len(a) <= 63

    assert not workspace_exists(tmp_path / "leeg")
    with pytest.raises(WorkspaceError, match="Geen werkruimte"):
        open_workspace(tmp_path / "leeg", create=False)
    ws = open_workspace(tmp_path / "ws")
    assert ws.dialect == store
    assert current_revision(ws) == head_revision() and workspace_exists(tmp_path / "ws")
    ws.close()
    if store == "postgresql":
        # a folder removed and made again is a new workspace with a new, empty database
        shutil.rmtree(tmp_path / "ws")
        assert not workspace_exists(tmp_path / "ws")
        again = open_workspace(tmp_path / "ws")
        assert again.engine.url.database != ws.engine.url.database
        with again.read() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM organisations").scalar() == 0
        again.close()
        (tmp_path / "oud").mkdir()
        (tmp_path / "oud" / "weerbaar.sqlite").write_bytes(b"")
        with pytest.raises(WorkspaceError, match="SQLite-database"):
            open_workspace(tmp_path / "oud")
        monkeypatch.setenv(DATABASE_SERVER_ENV, "postgresql:///weerbaar?host=/nergens")
        with pytest.raises(WorkspaceError, match="PostgreSQL-server"):
            open_workspace(tmp_path / "ws2")
    else:
        monkeypatch.setenv(DATABASE_URL_ENV, "postgresql:///weerbaar?host=/nergens")
        with pytest.raises(WorkspaceError, match="niet bruikbaar"):
            open_workspace(tmp_path / "ws3")
