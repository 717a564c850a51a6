"""Shared fixtures: real workspaces on disk, paths to ../shared when it is there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from weerbaar.store import Workspace, open_workspace

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is niet aanwezig")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    path = shared_dir / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/seeds is niet aanwezig")
    return path


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
