"""Hot backups of a workspace database while other processes keep writing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from weerbaar.errors import WorkspaceError
from weerbaar.store.db import DB_NAME, Workspace


def backup_database(ws: Workspace, dest: str | Path) -> Path:
    """Copy the workspace database to ``dest`` with SQLite's online backup API.

    The copy is a consistent snapshot of committed transactions, also while an ingest or
    the web app is writing; never copy the live file (with its WAL) by hand."""
    if not ws.is_sqlite:
        raise WorkspaceError("Reservekopie met weerbaar kan alleen van een SQLite-werkruimte.")
    dest = Path(dest).expanduser().resolve()
    if dest.exists():
        raise WorkspaceError(f"{dest} bestaat al; kies een nieuwe bestandsnaam.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
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
    part.replace(dest)
    return dest
