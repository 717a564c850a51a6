"""Opening a workspace: one folder with one database, the source files by content hash,
and the search indexes and trained models.

SQLite is the default (WAL, busy timeout, foreign keys, ``BEGIN IMMEDIATE`` for writes).
Set ``WEERBAAR_DATABASE_URL`` (or pass ``url``) to use PostgreSQL with the same code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event

from weerbaar.errors import WorkspaceError

DB_NAME = "weerbaar.sqlite"
FILES_DIR = "bestanden"
INDEX_DIR = "index"
MODELS_DIR = "modellen"


def utcnow() -> str:
    """Current UTC time as an ISO-8601 string with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": 30, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event issue BEGIN itself (deferred or immediate).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@dataclass
class Workspace:
    """A workspace folder and its database engine. Use :func:`open_workspace`."""

    root: Path
    engine: Engine
    _writer: Engine | None = field(default=None, repr=False)

    @property
    def files_dir(self) -> Path:
        return self.root / FILES_DIR

    @property
    def index_dir(self) -> Path:
        return self.root / INDEX_DIR

    @property
    def models_dir(self) -> Path:
        return self.root / MODELS_DIR

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (deferred transaction, rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite): committed on success,
        rolled back on any exception."""
        writer = self._writer or self.engine
        with writer.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def open_workspace(root: str | Path, *, create: bool = True, url: str | None = None) -> Workspace:
    """Open (and when ``create``, make and migrate) the workspace in folder ``root``."""
    root = Path(root).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"Werkruimte {root} is geen map.")
    url = url or os.environ.get("WEERBAAR_DATABASE_URL")
    if not create and not (root / DB_NAME).exists() and not url:
        raise WorkspaceError(
            f"Geen werkruimte gevonden in {root}: lees eerst documenten in met 'weerbaar inlezen'."
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in (FILES_DIR, INDEX_DIR, MODELS_DIR):
            (root / sub).mkdir(exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"Werkruimte {root} kan niet worden gemaakt: {exc}") from exc
    if url:
        engine = create_engine(url)
        ws = Workspace(root=root, engine=engine)
    else:
        engine = _sqlite_engine(root / DB_NAME)
        ws = Workspace(
            root=root, engine=engine, _writer=engine.execution_options(sqlite_begin="IMMEDIATE")
        )
    from weerbaar.store.migrate import upgrade

    upgrade(ws)
    return ws
