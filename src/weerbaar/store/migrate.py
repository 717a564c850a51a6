"""Schema migrations with Alembic, run from code (no alembic.ini needed by users)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

if TYPE_CHECKING:
    from weerbaar.store.db import Workspace

SCRIPT_LOCATION = "weerbaar.store:migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(ws: Workspace) -> str | None:
    with ws.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(ws: Workspace, revision: str = "head") -> None:
    """Bring the workspace database to ``revision`` (forward only)."""
    if current_revision(ws) == head_revision() and revision == "head":
        return
    cfg = alembic_config()
    with ws.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
