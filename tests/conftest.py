"""Shared fixtures: real workspaces on disk, paths to ../shared when it is there.

Two stores: ``pytest`` runs on SQLite; ``pytest --store postgresql`` runs every workspace
on a real PostgreSQL server (each workspace folder its own database, through
``WEERBAAR_DATABASE_SERVER``). The server is ``$WEERBAAR_TEST_DATABASE_URL`` when set (as
``make test`` does with ``scripts/pg-cluster.sh run``), otherwise a throwaway cluster that
this session starts and stops itself. Tests of the modules that touch the database carry
the marker ``database``; ``make test`` runs all tests on SQLite, then those on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from weerbaar.store import Workspace, open_workspace
from weerbaar.store.db import DATABASE_SERVER_ENV, DATABASE_URL_ENV

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_SCRIPT = REPO / "scripts" / "pg-cluster.sh"
# Test modules that read or write a workspace database: run on both stores.
DATABASE_MODULES = (
    "test_store_",
    "test_ingest_",
    "test_search_",
    "test_review_",
    "test_web_",
    "test_report_",
    "test_assess_",
    "test_selfassess_",
    "test_demo",
    "test_workers",
    "test_deploy",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("WEERBAAR_TEST_STORE", "sqlite"),
        help="database of every test workspace (default sqlite)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "database: reads or writes a workspace database")
    if config.getoption("store") != "postgresql":
        return
    url = os.environ.get("WEERBAAR_TEST_DATABASE_URL")
    if not url:
        # No server given: start a throwaway cluster for this session.
        cluster = subprocess.run(
            ["bash", str(PG_SCRIPT), "start"], capture_output=True, text=True, check=False
        )
        if cluster.returncode != 0:
            raise pytest.UsageError(f"PostgreSQL start mislukt: {cluster.stderr.strip()}")
        path = cluster.stdout.strip().splitlines()[-1]
        config.add_cleanup(
            lambda: subprocess.run(["bash", str(PG_SCRIPT), "stop", path], check=False)
        )
        # a plain kill (SIGTERM) stops the session like Ctrl-C, so the cluster is removed
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        url = subprocess.run(
            ["bash", str(PG_SCRIPT), "url", path], capture_output=True, text=True, check=True
        ).stdout.strip()
    os.environ.pop(DATABASE_URL_ENV, None)
    os.environ[DATABASE_SERVER_ENV] = url
    config.stash[_SERVER] = url


_SERVER = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name.startswith(DATABASE_MODULES):
            item.add_marker(pytest.mark.database)


def pytest_report_header(config: pytest.Config) -> str:
    return f"weerbaar store: {config.getoption('store')}"


@pytest.fixture(scope="session")
def store(pytestconfig: pytest.Config) -> str:
    """``sqlite`` or ``postgresql``: the database of this run's workspaces."""
    return str(pytestconfig.getoption("store"))


@pytest.fixture(autouse=True, scope="module")
def _drop_module_databases(pytestconfig: pytest.Config) -> Iterator[None]:
    """On PostgreSQL, drop the databases of a module's workspaces when it is done (each
    costs a few MB)."""
    yield
    url = pytestconfig.stash.get(_SERVER, None)
    if url is None:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE 'weerbaar\\_%'")
            ).scalars()
            for name in list(names):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is niet aanwezig")
    return SHARED


def _shared_subdir(shared_dir: Path, name: str) -> Path:
    path = shared_dir / name
    if not path.is_dir():
        pytest.skip(f"../shared/{name} is niet aanwezig")
    return path


@pytest.fixture(scope="session")
def realpdfs(shared_dir: Path) -> Path:
    """``../shared/realpdfs`` (real published PDFs); tests skip when it is absent."""
    return _shared_subdir(shared_dir, "realpdfs")


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return _shared_subdir(shared_dir, "seeds")


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    path = shared_dir / "corpus"
    if not path.is_dir():
        pytest.skip("../shared/corpus is niet aanwezig")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path / "werkruimte")
    yield ws
    ws.close()
