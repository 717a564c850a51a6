"""Storage: the only package that speaks SQL."""

from weerbaar.store.db import Workspace, open_workspace, utcnow

__all__ = ["Workspace", "open_workspace", "utcnow"]
