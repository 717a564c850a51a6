"""Hot backups of a workspace database while other processes keep writing.

SQLite: the online backup API (a consistent snapshot, checked with ``integrity_check``).
PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, restore with
``pg_restore``); the PostgreSQL client tools must be installed on the machine.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from weerbaar.errors import WorkspaceError
from weerbaar.files import atomic_path
from weerbaar.store.db import DB_NAME, Workspace


def backup_database(ws: Workspace, dest: str | Path) -> Path:
    """Copy the workspace database to ``dest``: a consistent snapshot of committed
    transactions, also while an ingest or the web app is writing; never copy the live
    SQLite file (with its WAL) by hand."""
    dest = Path(dest).expanduser().resolve()
    if dest.exists():
        raise WorkspaceError(f"{dest} bestaat al; kies een nieuwe bestandsnaam.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest) as part:
        if ws.is_sqlite:
            _sqlite_backup(ws, part)
        else:
            _pg_dump(ws.engine.url, part)
    return dest


def _sqlite_backup(ws: Workspace, part: Path) -> None:
    src = sqlite3.connect(ws.root / DB_NAME, timeout=30)
    try:
        out = sqlite3.connect(part)
        try:
            with out:
                src.backup(out, pages=1024)
            ok = out.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            out.close()
    finally:
        src.close()
    if ok != "ok":
        part.unlink(missing_ok=True)
        raise WorkspaceError(f"Reservekopie is niet in orde ({ok}); probeer het opnieuw.")


def libpq_arguments(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and the environment that carries the
    password (``PGPASSWORD``), for the PostgreSQL client tools."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_dump(url: URL, part: Path) -> None:
    tool = shutil.which("pg_dump")
    if tool is None:
        raise WorkspaceError(
            "pg_dump ontbreekt: installeer de PostgreSQL-clientprogramma's "
            "(Debian: apt-get install postgresql-client)."
        )
    conninfo, env = libpq_arguments(url)
    result = subprocess.run(
        [tool, "--format=custom", "--no-owner", f"--file={part}", f"--dbname={conninfo}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        part.unlink(missing_ok=True)
        lines = result.stderr.strip().splitlines()
        raise WorkspaceError(
            f"Reservekopie met pg_dump mislukt: {lines[-1] if lines else result.returncode}"
        )
