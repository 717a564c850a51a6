"""Schema migrations with Alembic, run from code (no alembic.ini needed by users).

Several processes may open a new workspace at the same moment (parallel workers, the web
app's worker processes): the migration runs inside the workspace's write lock
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL) and checks the revision
again once it holds it, so exactly one process migrates and the others wait for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

if TYPE_CHECKING:
    from weerbaar.store.db import Workspace

SCRIPT_LOCATION = "weerbaar.store:migrations"
# pg_advisory_xact_lock key held while migrating ("migr").
MIGRATE_LOCK_KEY = 0x6D696772


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def current_revision_of(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def current_revision(ws: Workspace) -> str | None:
    return current_revision_of(ws.engine)


def upgrade(ws: Workspace, revision: str = "head") -> None:
    """Bring the workspace database to ``revision`` (forward only)."""
    head = head_revision()
    if revision == "head" and current_revision(ws) == head:
        return
    cfg = alembic_config()
    writer = ws._writer or ws.engine
    with writer.begin() as conn:
        if not ws.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
        if revision == "head" and _revision(conn) == head:
            return  # another process migrated while we waited
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
