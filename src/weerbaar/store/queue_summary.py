"""The counts of every review queue (table ``queue_summary``): per catalogue version,
organisation and measure the candidates, the reviewed ones (any decision on the passage
for the measure) and the relevant ones (a decision says ``ja``).

Pages read these rows instead of counting the whole queue on every request. Every write
that changes a count recounts the queues it touched, in its own transaction, from the
``candidates`` and ``decisions`` tables (:func:`refresh`): the scan's queue replacement,
each decision insert, update and delete, passages deleted on re-reading a document, a
document moved to another organisation, and bulk inserts. A recount of one queue reads
only that queue's candidates (the organisation index) and probes the decisions' unique
index per candidate, so it costs about as much as the write itself. Writes are
serialised per workspace (``ws.write()``), so a recount sees every committed change
and the counts equal a fresh count (:func:`fresh_counts`) after every transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, delete, func, insert, select

from weerbaar.store.schema import candidates, decisions, queue_summary

#: (catalog version, organisation code, measure id): one review queue.
QueueKey = tuple[str, str, str]
#: (passage id, catalog version, measure id): one decision item.
Item = tuple[int, str, str]
_CHUNK = 500  # ids or organisations per IN (...) list


def _decided(*, relevant_only: bool) -> Any:
    """SQL clause: a decision (a ``ja`` when ``relevant_only``) on the candidate."""
    conds = [
        decisions.c.passage_id == candidates.c.passage_id,
        decisions.c.catalog_version == candidates.c.catalog_version,
        decisions.c.measure_id == candidates.c.measure_id,
    ]
    if relevant_only:
        conds.append(decisions.c.relevant == "ja")
    return select(decisions.c.id).where(and_(*conds)).exists()


def _count_query() -> Any:
    """The counts from the queue itself, per (version, organisation, measure)."""
    return select(
        candidates.c.catalog_version,
        candidates.c.organisation_code,
        candidates.c.measure_id,
        func.count().label("candidates"),
        func.sum(case((_decided(relevant_only=False), 1), else_=0)).label("reviewed"),
        func.sum(case((_decided(relevant_only=True), 1), else_=0)).label("relevant"),
    ).group_by(
        candidates.c.catalog_version, candidates.c.organisation_code, candidates.c.measure_id
    )


@lru_cache(maxsize=1)
def _refresh_statements() -> tuple[Any, Any]:
    """(delete, insert from the recount) of the queues of one version, some
    organisations and some measures (bound parameters ``version``, ``orgs``,
    ``measures``): built once, so a recount costs SQLAlchemy no new statement."""
    s = queue_summary.c
    version: Any = bindparam("version")
    orgs: Any = bindparam("orgs", expanding=True)
    measures: Any = bindparam("measures", expanding=True)
    gone = delete(queue_summary).where(
        s.catalog_version == version, s.organisation_code.in_(orgs), s.measure_id.in_(measures)
    )
    counts = _count_query().where(
        candidates.c.catalog_version == version,
        candidates.c.organisation_code.in_(orgs),
        candidates.c.measure_id.in_(measures),
    )
    columns = ["catalog_version", "organisation_code", "measure_id", "candidates", "reviewed",
               "relevant"]  # fmt: skip
    return gone, insert(queue_summary).from_select(columns, counts)


def fresh_counts(conn: Connection) -> dict[QueueKey, tuple[int, int, int]]:
    """Every queue's (candidates, reviewed, relevant) counted now from the queue and the
    decisions (what the summary must equal; also for checks and tests)."""
    return {
        (r[0], r[1], r[2]): (int(r[3]), int(r[4] or 0), int(r[5] or 0))
        for r in conn.execute(_count_query())
    }


def stored_counts(conn: Connection) -> dict[QueueKey, tuple[int, int, int]]:
    """Every queue's (candidates, reviewed, relevant) as the summary holds them."""
    s = queue_summary.c
    rows = conn.execute(
        select(
            s.catalog_version, s.organisation_code, s.measure_id, s.candidates, s.reviewed,
            s.relevant,
        )
    )  # fmt: skip
    return {(r[0], r[1], r[2]): (int(r[3]), int(r[4]), int(r[5])) for r in rows}


def _refresh_group(
    conn: Connection, catalog_version: str, organisations: Sequence[str], measures: Sequence[str]
) -> None:
    gone, recount = _refresh_statements()
    params = {"version": catalog_version, "orgs": list(organisations), "measures": list(measures)}
    conn.execute(gone, params)
    conn.execute(recount, params)


def refresh(conn: Connection, keys: Iterable[QueueKey]) -> None:
    """Recount these queues from the candidates and decisions (inside the caller's write
    transaction). Queues of one version and organisation are recounted together; with
    many organisations, per chunk of them over the measures of the chunk (a recount of a
    queue that did not change is harmless)."""
    by_org: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for version, org, measure in keys:
        by_org[version][org].add(measure)
    for version, orgs in by_org.items():
        codes = sorted(orgs)
        for i in range(0, len(codes), _CHUNK):
            chunk = codes[i : i + _CHUNK]
            measures: set[str] = set().union(*(orgs[o] for o in chunk))
            _refresh_group(conn, version, chunk, sorted(measures))


def repair(conn: Connection) -> int:
    """Recount every queue and put right the counts that differ from a fresh count (a
    writer outside the store's functions, a restored partial copy). Returns how many
    queues were wrong. Needs a write transaction."""
    fresh, stored = fresh_counts(conn), stored_counts(conn)
    wrong = {k for k in fresh.keys() | stored.keys() if fresh.get(k) != stored.get(k)}
    refresh(conn, wrong)
    return len(wrong)


def queues_of_passages(conn: Connection, passage_ids: Iterable[int]) -> set[QueueKey]:
    """The queues that hold any of these passages (call before deleting them)."""
    ids = sorted({int(p) for p in passage_ids})
    out: set[QueueKey] = set()
    for i in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(candidates.c.catalog_version, candidates.c.organisation_code,
                   candidates.c.measure_id)
            .where(candidates.c.passage_id.in_(ids[i : i + _CHUNK]))
            .distinct()
        )  # fmt: skip
        out.update((r[0], r[1], r[2]) for r in rows)
    return out


def queues_of_items(conn: Connection, items: Iterable[Item]) -> set[QueueKey]:
    """The queues that hold these (passage, version, measure) items: the ones a decision
    on them counts in."""
    wanted = {(int(p), v, m) for p, v, m in items}
    ids = sorted({p for p, _, _ in wanted})
    out: set[QueueKey] = set()
    for i in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(candidates.c.passage_id, candidates.c.catalog_version,
                   candidates.c.organisation_code, candidates.c.measure_id)
            .where(candidates.c.passage_id.in_(ids[i : i + _CHUNK]))
        )  # fmt: skip
        out.update((r[1], r[2], r[3]) for r in rows if (int(r[0]), r[1], r[3]) in wanted)
    return out


def refresh_items(conn: Connection, items: Iterable[Item]) -> None:
    """Recount the queues a decision on these items counts in."""
    refresh(conn, queues_of_items(conn, items))


def _select_totals(catalog_version: str | None, organisations: Sequence[str] | None) -> Any:
    s = queue_summary.c
    q = select(
        s.organisation_code,
        s.measure_id,
        func.sum(s.candidates),
        func.sum(s.reviewed),
        func.sum(s.relevant),
    ).group_by(s.organisation_code, s.measure_id)
    if catalog_version:
        q = q.where(s.catalog_version == catalog_version)
    if organisations is not None:
        q = q.where(s.organisation_code.in_(list(organisations)))
    return q


def open_counts(
    conn: Connection, *, organisations: Sequence[str] | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(organisation, measure) -> (candidates, open candidates nobody has decided),
    summed over catalogue versions."""
    return {
        (org, mid): (int(n), int(n) - int(reviewed))
        for org, mid, n, reviewed, _ in conn.execute(_select_totals(None, organisations))
    }


def queue_counts(
    conn: Connection,
    *,
    catalog_version: str | None = None,
    organisations: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Per (organisation, measure) with a queue: candidates, reviewed and relevant
    (summed over catalogue versions when none is given)."""
    return [
        {
            "organisation_code": org,
            "measure_id": mid,
            "candidates": int(n),
            "reviewed": int(reviewed),
            "relevant": int(relevant),
        }
        for org, mid, n, reviewed, relevant in conn.execute(
            _select_totals(catalog_version, organisations)
        )
    ]


def organisation_counts(
    conn: Connection,
    *,
    catalog_version: str | None = None,
    organisations: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Per organisation with a queue: measures with a queue, candidates, reviewed and
    relevant."""
    s = queue_summary.c
    q = select(
        s.organisation_code,
        func.count(func.distinct(s.measure_id)),
        func.sum(s.candidates),
        func.sum(s.reviewed),
        func.sum(s.relevant),
    ).group_by(s.organisation_code)
    if catalog_version:
        q = q.where(s.catalog_version == catalog_version)
    if organisations is not None:
        q = q.where(s.organisation_code.in_(list(organisations)))
    return [
        {
            "organisation_code": org,
            "measures": int(n_measures),
            "candidates": int(n),
            "reviewed": int(reviewed),
            "relevant": int(relevant),
        }
        for org, n_measures, n, reviewed, relevant in conn.execute(q.order_by(s.organisation_code))
    ]
