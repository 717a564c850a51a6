"""Query planner statistics.

SQLite plans a query from its indexes alone until ``ANALYZE`` has stored statistics;
without them it may walk every passage of a region's documents where a few hundred
decisions would do (the organisation and region pages at 1 M passages). PostgreSQL's
autovacuum keeps its own statistics, so this is for SQLite only.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from weerbaar.store.db import Workspace

log = logging.getLogger(__name__)

#: Rows sampled per index (SQLite's ``analysis_limit``): approximate statistics in
#: milliseconds, also on a 1.3 GB workspace.
ANALYSIS_LIMIT = 400


def refresh_statistics(ws: Workspace) -> bool:
    """Store fresh planner statistics (SQLite ``ANALYZE`` with a sample limit). Returns
    False when it was skipped: PostgreSQL, or another process holds the write lock
    (statistics only speed queries up; nothing depends on them)."""
    if not ws.is_sqlite:
        return False
    try:
        with ws.write() as conn:
            conn.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
            conn.execute(text("ANALYZE"))
    except OperationalError as exc:
        log.info("planner statistics skipped: %s", exc)
        return False
    return True
