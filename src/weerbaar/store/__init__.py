"""Storage: the only package that speaks SQL.

The names below load :mod:`weerbaar.store.db` (and SQLAlchemy) on first use, so that
:mod:`weerbaar.store.constants` can be imported without them (the parse worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weerbaar.store.db import Workspace, open_workspace, utcnow

__all__ = ["Workspace", "open_workspace", "utcnow"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from weerbaar.store import db

        return getattr(db, name)
    raise AttributeError(f"module 'weerbaar.store' has no attribute {name!r}")
