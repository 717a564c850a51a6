"""Queries for the review queue (``candidates``), scan runs and the reviewer decisions
that train the workspace re-ranker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from weerbaar.store.db import utcnow
from weerbaar.store.schema import candidates, decisions, documents, passages, scan_runs


def start_scan_run(
    conn: Connection,
    *,
    catalog_version: str,
    method: str,
    params: dict[str, Any],
    training_size: int,
) -> int:
    res = conn.execute(
        insert(scan_runs).values(
            started_at=utcnow(),
            catalog_version=catalog_version,
            method=method,
            params=params,
            training_size=training_size,
        )
    )
    return int(res.inserted_primary_key[0])


def finish_scan_run(conn: Connection, run_id: int) -> None:
    conn.execute(update(scan_runs).where(scan_runs.c.id == run_id).values(finished_at=utcnow()))


def judged_passages(conn: Connection, *, catalog_version: str, measure_id: str) -> set[int]:
    """Passages that some reviewer already judged for this measure."""
    from weerbaar.store.schema import decisions

    rows = conn.execute(
        select(decisions.c.passage_id).where(
            decisions.c.catalog_version == catalog_version,
            decisions.c.measure_id == measure_id,
        )
    )
    return {int(r[0]) for r in rows}


def replace_candidates(
    conn: Connection,
    *,
    scan_run_id: int | None,
    catalog_version: str,
    measure_id: str,
    organisation_code: str,
    rows: Sequence[tuple[int, float]],
    method: str,
) -> int:
    """Replace the queue of one measure for one organisation by ``rows`` (passage id,
    score), best first; rank 1 is the best."""
    conn.execute(
        delete(candidates).where(
            candidates.c.catalog_version == catalog_version,
            candidates.c.measure_id == measure_id,
            candidates.c.organisation_code == organisation_code,
        )
    )
    if not rows:
        return 0
    now = utcnow()
    conn.execute(
        insert(candidates),
        [
            {
                "scan_run_id": scan_run_id,
                "organisation_code": organisation_code,
                "catalog_version": catalog_version,
                "measure_id": measure_id,
                "passage_id": int(pid),
                "rank": rank,
                "score": float(score),
                "method": method,
                "updated_at": now,
            }
            for rank, (pid, score) in enumerate(rows, start=1)
        ],
    )
    return len(rows)


def queue(
    conn: Connection, *, catalog_version: str, measure_id: str, organisation_code: str | None = None
) -> list[dict[str, Any]]:
    """Candidates of a measure (optionally one organisation), by rank."""
    q = select(candidates).where(
        candidates.c.catalog_version == catalog_version, candidates.c.measure_id == measure_id
    )
    if organisation_code:
        q = q.where(candidates.c.organisation_code == organisation_code)
    rows = conn.execute(q.order_by(candidates.c.organisation_code, candidates.c.rank))
    return [dict(r._mapping) for r in rows]


def update_queue_scores(
    conn: Connection, rows: Sequence[tuple[int, int, float]], method: str
) -> None:
    """Set (candidate id, new rank, new score) after re-ranking."""
    now = utcnow()
    for cid, rank, score in rows:
        conn.execute(
            update(candidates)
            .where(candidates.c.id == cid)
            .values(rank=rank, score=float(score), method=method, updated_at=now)
        )


def decided(
    conn: Connection, *, catalog_version: str | None = None
) -> list[tuple[int, str, str, str | None]]:
    """All reviewer decisions: (passage id, measure id, relevant, other measure id)."""
    q = select(
        decisions.c.passage_id,
        decisions.c.measure_id,
        decisions.c.relevant,
        decisions.c.other_measure_id,
    )
    if catalog_version:
        q = q.where(decisions.c.catalog_version == catalog_version)
    return [(int(r[0]), r[1], r[2], r[3]) for r in conn.execute(q.order_by(decisions.c.id))]


def organisation_codes(conn: Connection) -> list[str]:
    rows = conn.execute(
        select(documents.c.organisation_code)
        .join(passages, passages.c.document_id == documents.c.id)
        .distinct()
    ).scalars()
    return sorted(r or "" for r in rows)
