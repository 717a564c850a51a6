"""Queries for the review queue (``candidates``), scan runs and the reviewer decisions
that train the workspace re-ranker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, or_, select, update

from weerbaar.store import queue_summary
from weerbaar.store.db import Workspace, utcnow
from weerbaar.store.schema import (
    candidates,
    decisions,
    documents,
    passages,
    scan_coverage,
    scan_runs,
)


def max_passage_id(conn: Connection) -> int:
    """The highest passage id in the workspace (0 when there are none)."""
    return int(conn.execute(select(func.max(passages.c.id))).scalar() or 0)


def start_scan_run(
    conn: Connection,
    *,
    catalog_version: str,
    method: str,
    params: dict[str, Any],
    training_size: int,
    max_passage_id: int | None = None,
) -> int:
    res = conn.execute(
        insert(scan_runs).values(
            started_at=utcnow(),
            catalog_version=catalog_version,
            method=method,
            params=params,
            training_size=training_size,
            max_passage_id=max_passage_id,
        )
    )
    return int(res.inserted_primary_key[0])


def last_scan_run_id(conn: Connection) -> int:
    """The id of the newest scan run (0 when there is none)."""
    return int(conn.execute(select(func.max(scan_runs.c.id))).scalar() or 0)


def scan_queue_name(run_id: int) -> str:
    """The work queue (``store/work.py``) of a scan run: one item per organisation."""
    return f"scan:{run_id}"


def open_scan_run(
    ws: Workspace,
    *,
    catalog_version: str,
    method: str,
    params: dict[str, Any],
    training_size: int,
    organisations: Sequence[str],
    since_run_id: int = 0,
) -> tuple[int, bool]:
    """The scan run this worker works on. A run with the same catalogue version, method
    and parameters over the same passages is joined when it is unfinished (other workers
    are on it, or one was killed: its work is resumed) or when it was started after
    ``since_run_id`` (the newest run when this worker started: workers started together
    share one run, also when the others finished it already). Otherwise a new run is
    started with one work item per organisation. Returns (run id, joined)."""
    from weerbaar.store.work import WorkQueue

    with ws.write() as conn:
        snapshot = max_passage_id(conn)
        unfinished = conn.execute(
            select(scan_runs.c.id, scan_runs.c.params)
            .where(
                or_(scan_runs.c.finished_at.is_(None), scan_runs.c.id > since_run_id),
                scan_runs.c.catalog_version == catalog_version,
                scan_runs.c.method == method,
                scan_runs.c.max_passage_id == snapshot,
            )
            .order_by(scan_runs.c.id.desc())
        ).all()
        for run_id, run_params in unfinished:
            if (run_params or {}) == params:
                return int(run_id), True
        run_id = start_scan_run(
            conn,
            catalog_version=catalog_version,
            method=method,
            params=params,
            training_size=training_size,
            max_passage_id=snapshot,
        )
        WorkQueue(ws, scan_queue_name(run_id)).fill(organisations, conn)
    return run_id, False


def judged_by_measure(
    conn: Connection, *, catalog_version: str, organisation_code: str
) -> dict[str, set[int]]:
    """Per measure the passages of one organisation that some reviewer already judged."""
    rows = conn.execute(
        select(decisions.c.measure_id, decisions.c.passage_id)
        .join(passages, passages.c.id == decisions.c.passage_id)
        .join(documents, documents.c.id == passages.c.document_id)
        .where(
            decisions.c.catalog_version == catalog_version,
            documents.c.organisation_code == organisation_code,
        )
    )
    out: dict[str, set[int]] = {}
    for mid, pid in rows:
        out.setdefault(mid, set()).add(int(pid))
    return out


def record_coverage(
    conn: Connection,
    *,
    catalog_version: str,
    organisation_code: str,
    measures: Sequence[str],
    scan_run_id: int | None,
    max_passage_id: int,
) -> None:
    """Note that a scan covered these measures of an organisation up to passage id
    ``max_passage_id`` (the highest it read)."""
    conn.execute(
        delete(scan_coverage).where(
            scan_coverage.c.catalog_version == catalog_version,
            scan_coverage.c.organisation_code == organisation_code,
            scan_coverage.c.measure_id.in_(list(measures)),
        )
    )
    now = utcnow()
    conn.execute(
        insert(scan_coverage),
        [
            {
                "catalog_version": catalog_version,
                "organisation_code": organisation_code,
                "measure_id": m,
                "scan_run_id": scan_run_id,
                "max_passage_id": int(max_passage_id),
                "at": now,
            }
            for m in measures
        ],
    )


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
    return replace_organisation_queues(
        conn,
        scan_run_id=scan_run_id,
        catalog_version=catalog_version,
        organisation_code=organisation_code,
        queues={measure_id: rows},
        method=method,
    )


_QUEUE_COLUMNS = (
    "scan_run_id", "organisation_code", "catalog_version", "measure_id", "passage_id", "rank",
    "score", "method", "updated_at",
)  # fmt: skip


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert many rows given as tuples in the order of ``columns``, without building a
    dictionary and binding parameters per row in SQLAlchemy (most of the cost of a scan's
    queue writes): ``COPY`` on PostgreSQL, the driver's ``executemany`` on SQLite."""
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(rows))


def replace_organisation_queues(
    conn: Connection,
    *,
    scan_run_id: int | None,
    catalog_version: str,
    organisation_code: str,
    queues: Mapping[str, Sequence[tuple[int, float]]],
    method: str,
) -> int:
    """Replace the queues of several measures of one organisation at once (one delete,
    one bulk insert): per measure id the rows (passage id, score), best first; rank 1 is
    the best; the counts of these queues (``store/queue_summary.py``) follow. Returns the
    number of rows stored."""
    if not queues:
        return 0
    conn.execute(
        delete(candidates).where(
            candidates.c.catalog_version == catalog_version,
            candidates.c.organisation_code == organisation_code,
            candidates.c.measure_id.in_(list(queues)),
        )
    )
    now = utcnow()
    values = [
        (scan_run_id, organisation_code, catalog_version, measure_id, int(pid), rank,
         float(score), method, now)
        for measure_id, rows in queues.items()
        for rank, (pid, score) in enumerate(rows, start=1)
    ]  # fmt: skip
    insert_rows(conn, candidates, _QUEUE_COLUMNS, values)
    queue_summary.refresh(conn, {(catalog_version, organisation_code, m) for m in queues})
    return len(values)


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


def queue_listing(
    conn: Connection,
    *,
    catalog_version: str,
    organisation_code: str | None = None,
    measure_id: str | None = None,
) -> list[dict[str, Any]]:
    """The review queue with its passages: organisation, measure, rank, score, passage,
    document, page and text, ordered by organisation, measure and rank."""
    q = (
        select(
            candidates.c.organisation_code,
            candidates.c.measure_id,
            candidates.c.rank,
            candidates.c.score,
            candidates.c.method,
            candidates.c.passage_id,
            passages.c.document_id,
            passages.c.page_start,
            passages.c.text,
        )
        .join(passages, passages.c.id == candidates.c.passage_id)
        .where(candidates.c.catalog_version == catalog_version)
    )
    if organisation_code:
        q = q.where(candidates.c.organisation_code == organisation_code)
    if measure_id:
        q = q.where(candidates.c.measure_id == measure_id)
    out: list[dict[str, Any]] = [dict(r._mapping) for r in conn.execute(q)]
    decided_rel: dict[tuple[int, str], str] = {}
    for d in conn.execute(
        select(decisions.c.passage_id, decisions.c.measure_id, decisions.c.relevant).where(
            decisions.c.catalog_version == catalog_version
        )
    ):
        decided_rel[(int(d[0]), d[1])] = d[2]
    for item in out:
        item["decision"] = decided_rel.get((int(item["passage_id"]), item["measure_id"]))
    return out
