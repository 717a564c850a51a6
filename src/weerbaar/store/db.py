"""Opening a workspace: a folder with the source files by content hash, the search indexes
and trained models, and one database.

The database is SQLite (``weerbaar.sqlite`` in the folder, WAL, busy timeout, foreign
keys, ``BEGIN IMMEDIATE`` for writes) unless PostgreSQL is configured:

- ``WEERBAAR_DATABASE_URL=postgresql+psycopg://USER@HOST/DB`` (or ``url=``): this workspace
  uses exactly that database;
- ``WEERBAAR_DATABASE_SERVER=postgresql+psycopg://USER@HOST/postgres``: every workspace
  folder gets its own database on that server, named after the folder and created on
  first use (handy for a server with several workspaces, for the demo and for tests);
  the folder's identity is a random id in ``.weerbaar-id``, so a folder that is removed
  and made again gets a new, empty database.

The same SQLAlchemy Core code and Alembic migrations run on both. On PostgreSQL every
``ws.write()`` transaction first takes one advisory lock: writes are serialised exactly as
on SQLite (so every read-check-write rule in ``store/`` holds without retry logic), while
reads, parsing and embedding run in parallel in as many processes and machines as you
like. The folder holds files only; with PostgreSQL it is the directory that several
machines share (see ``docs/installatie-server.md``).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from weerbaar.errors import WorkspaceError
from weerbaar.files import file_lock
from weerbaar.settings import environment

DB_NAME = "weerbaar.sqlite"
FILES_DIR = "bestanden"
INDEX_DIR = "index"
MODELS_DIR = "modellen"
DATABASE_URL_ENV = "WEERBAAR_DATABASE_URL"
DATABASE_SERVER_ENV = "WEERBAAR_DATABASE_SERVER"
# pg_advisory_xact_lock key of the workspace's single writer ("weer" in ASCII).
WRITE_LOCK_KEY = 0x77656572


def utcnow() -> str:
    """Current UTC time as an ISO-8601 string with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def row_dict(row: Any) -> dict[str, Any]:
    """A result row as a plain dict (column label -> value)."""
    return dict(row._mapping)


def row_dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Result rows (a result or any iterable of rows) as plain dicts."""
    return [dict(r._mapping) for r in rows]


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
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` (as libpq and most hosting panels write them)
    mean psycopg 3, the driver weerbaar ships with."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _postgres_engine(url: str) -> Engine:
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=20,
        # TCP keepalives: a worker on another machine that dies releases its claims
        # within about a minute (on a Unix socket the server notices at once).
        connect_args={
            "application_name": "weerbaar",
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        },
    )


ID_FILE = ".weerbaar-id"


def workspace_id(root: Path, *, create: bool) -> str | None:
    """The identity of workspace folder ``root`` (a random id in ``.weerbaar-id``, made
    once): a folder that is removed and made again is a new workspace, with a new
    database on a shared server. Several processes making it at once agree on one id."""
    path = root / ID_FILE
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    if not create:
        return None
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f"{ID_FILE}.{uuid.uuid4().hex}"
    tmp.write_text(uuid.uuid4().hex[:12], encoding="ascii")
    try:
        os.link(tmp, path)  # atomic: the first process wins, the others read its id
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text(encoding="ascii").strip()


def workspace_database_name(root: Path, ident: str) -> str:
    """The database of workspace folder ``root`` with identity ``ident`` on a shared
    server: readable (the folder name) and unique; at most 63 characters."""
    root = Path(root).expanduser().resolve()
    slug = re.sub(r"[^a-z0-9]+", "_", root.name.lower()).strip("_")[:30] or "werkruimte"
    return f"weerbaar_{slug}_{re.sub(r'[^a-z0-9]', '', ident.lower())[:24]}"


def _database_on_server(server_url: str, root: Path, *, create: bool) -> str | None:
    """URL of the workspace's own database on ``server_url``; created when missing and
    ``create``; ``None`` when missing and not ``create``."""
    ident = workspace_id(root, create=create)
    if ident is None:
        return None
    name = workspace_database_name(root, ident)
    server = make_url(normalise_url(server_url))
    engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
    exists_sql = text("SELECT 1 FROM pg_database WHERE datname = :n")
    try:
        with engine.connect() as conn:
            if conn.execute(exists_sql, {"n": name}).first() is None:
                if not create:
                    return None
                try:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                except DBAPIError:
                    # Another process created it at the same moment: fine if it is there.
                    if conn.execute(exists_sql, {"n": name}).first() is None:
                        raise
    except DBAPIError as exc:
        raise WorkspaceError(
            f"De PostgreSQL-server uit {DATABASE_SERVER_ENV} is niet bruikbaar: {_first_line(exc)}"
        ) from exc
    finally:
        engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def _null_pool():  # type: ignore[no-untyped-def]
    from sqlalchemy.pool import NullPool

    return NullPool


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def database_url(root: str | Path, url: str | None = None, *, create: bool = True) -> str | None:
    """The PostgreSQL URL of workspace ``root`` (argument, then ``WEERBAAR_DATABASE_URL``,
    then a database of its own on ``WEERBAAR_DATABASE_SERVER``), or ``None`` for SQLite."""
    url = url or environment(DATABASE_URL_ENV)
    if url:
        return normalise_url(url)
    server = environment(DATABASE_SERVER_ENV)
    if server:
        return _database_on_server(server, Path(root).expanduser().resolve(), create=create)
    return None


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

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (deferred transaction, rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any exception.
        One writer at a time per workspace (``BEGIN IMMEDIATE`` on SQLite, an advisory
        lock on PostgreSQL); never open a second ``write()`` inside one."""
        writer = self._writer or self.engine
        with writer.begin() as conn:
            if not self.is_sqlite:
                # like SQLite's busy timeout: wait at most 30 s for the writer before us
                # (then OperationalError, which the web app answers with a Dutch 503)
                conn.execute(text("SET LOCAL lock_timeout = '30s'"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            yield conn

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold the workspace lock ``name`` while the body runs, against every other
        process using this workspace: a PostgreSQL advisory lock (all machines; released
        when the process dies) or a file lock in the folder (SQLite: one machine)."""
        if self.is_sqlite:
            with file_lock(self.root / f".{name}.lock"):
                yield
            return
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()

    def close(self) -> None:
        self.engine.dispose()


def workspace_exists(root: str | Path) -> bool:
    """Whether ``root`` is an existing workspace (its database has been made)."""
    root = Path(root).expanduser().resolve()
    try:
        url = database_url(root, create=False)
    except WorkspaceError:
        return False
    if url is None:
        return (root / DB_NAME).is_file()
    from weerbaar.store.migrate import current_revision_of

    engine = create_engine(url, poolclass=_null_pool())
    try:
        return current_revision_of(engine) is not None
    except DBAPIError:
        return False
    finally:
        engine.dispose()


def open_workspace(root: str | Path, *, create: bool = True, url: str | None = None) -> Workspace:
    """Open (and when ``create``, make and migrate) the workspace in folder ``root``."""
    root = Path(root).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"Werkruimte {root} is geen map.")
    url = database_url(root, url, create=create)
    missing = WorkspaceError(
        f"Geen werkruimte gevonden in {root}: lees eerst documenten in met 'weerbaar inlezen'."
    )
    if not create and url is None and not (root / DB_NAME).exists():
        raise missing
    if url is not None and (root / DB_NAME).exists():
        raise WorkspaceError(
            f"Werkruimte {root} heeft een eigen SQLite-database ({DB_NAME}), maar er is ook "
            f"PostgreSQL ingesteld ({DATABASE_URL_ENV} of {DATABASE_SERVER_ENV}). Kies één: "
            "haal de instelling weg, of gebruik voor PostgreSQL een andere map."
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in (FILES_DIR, INDEX_DIR, MODELS_DIR):
            (root / sub).mkdir(exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"Werkruimte {root} kan niet worden gemaakt: {exc}") from exc
    if url:
        ws = Workspace(root=root, engine=_postgres_engine(url))
    else:
        engine = _sqlite_engine(root / DB_NAME)
        ws = Workspace(
            root=root, engine=engine, _writer=engine.execution_options(sqlite_begin="IMMEDIATE")
        )
    from weerbaar.store.migrate import current_revision, upgrade

    try:
        if url and not create and current_revision(ws) is None:
            ws.close()
            raise missing
        upgrade(ws)
    except DBAPIError as exc:
        ws.close()
        raise WorkspaceError(
            f"De database van werkruimte {root} is niet bruikbaar: {_first_line(exc)}"
        ) from exc
    return ws
