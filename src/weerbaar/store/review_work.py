"""Queries for team review work: the open work in a reviewer's scope, assignments, the
double-review sample, curations of disagreements and login throttling across processes.

"Open" means: a candidate of the review queue on which nobody has decided yet for that
measure, or a passage assigned to this reviewer for a second review that they have not
decided yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select

from weerbaar.store import queue_summary
from weerbaar.store.db import row_dict, row_dicts, utcnow
from weerbaar.store.decisions import (
    candidate_decided,
    decisions_with_organisation,
    my_decisions,
    same_candidate_passage,
    same_item,
)
from weerbaar.store.schema import (
    candidates,
    curations,
    decisions,
    documents,
    double_reviews,
    login_failures,
    passages,
    review_assignments,
)


# --------------------------------------------------------------------------- open work
def open_counts(
    conn: Connection, *, organisations: Sequence[str] | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(organisation, measure) -> (candidates, open candidates nobody has decided), from
    the kept queue counts (``store/queue_summary.py``): a few rows per organisation,
    whatever the size of the queue and the number of decisions."""
    return queue_summary.open_counts(conn, organisations=organisations)


def evidence_counts(
    conn: Connection, *, organisations: Sequence[str] | None = None
) -> dict[str, int]:
    """Organisation -> passages some reviewer marked relevant (any measure)."""
    q = (
        select(documents.c.organisation_code, func.count(func.distinct(decisions.c.passage_id)))
        .select_from(decisions_with_organisation())
        .where(decisions.c.relevant == "ja")
        .group_by(documents.c.organisation_code)
    )
    if organisations is not None:
        q = q.where(documents.c.organisation_code.in_(list(organisations)))
    return {r[0]: int(r[1]) for r in conn.execute(q)}


def first_open(
    conn: Connection, *, organisation: str, measure_id: str, after_rank: int | None = None
) -> int | None:
    """The best-ranked candidate of one queue that nobody has decided yet."""
    q = (
        select(candidates.c.passage_id)
        .where(
            candidates.c.organisation_code == organisation,
            candidates.c.measure_id == measure_id,
            ~candidate_decided(),
        )
        .order_by(candidates.c.rank, candidates.c.id)
        .limit(1)
    )
    if after_rank is not None:
        q = q.where(candidates.c.rank > after_rank)
    r = conn.execute(q).first()
    return int(r[0]) if r else None


def pending_double_reviews(
    conn: Connection, *, reviewer: str, limit: int = 1
) -> list[dict[str, Any]]:
    """Second reviews assigned to ``reviewer`` that they have not decided yet, oldest
    first (passage id, measure, organisation)."""
    mine = (
        select(decisions.c.id)
        .where(*same_item(decisions, double_reviews), decisions.c.reviewer == reviewer)
        .exists()
    )
    q = (
        select(
            double_reviews.c.passage_id,
            double_reviews.c.measure_id,
            double_reviews.c.catalog_version,
            documents.c.organisation_code,
        )
        .select_from(
            double_reviews.join(passages, passages.c.id == double_reviews.c.passage_id).join(
                documents, documents.c.id == passages.c.document_id
            )
        )
        .where(double_reviews.c.reviewer == reviewer, ~mine)
        .order_by(double_reviews.c.id)
        .limit(limit)
    )
    return row_dicts(conn.execute(q))


def count_double_reviews(conn: Connection, *, reviewer: str | None = None) -> dict[str, int]:
    """Reviewer -> passages assigned for a second review (done or not)."""
    q = select(double_reviews.c.reviewer, func.count()).group_by(double_reviews.c.reviewer)
    if reviewer is not None:
        q = q.where(double_reviews.c.reviewer == reviewer)
    return {r[0]: int(r[1]) for r in conn.execute(q)}


def is_double_review(conn: Connection, *, passage_id: int, measure_id: str, reviewer: str) -> bool:
    r = conn.execute(
        select(double_reviews.c.id).where(
            double_reviews.c.passage_id == passage_id,
            double_reviews.c.measure_id == measure_id,
            double_reviews.c.reviewer == reviewer,
        )
    ).first()
    return r is not None


# --------------------------------------------------------------------------- filtered queue
QUEUE_ORDERS = ("rang", "score", "jaar", "document")


@dataclass(frozen=True)
class QueueFilter:
    """Which rows of one queue (organisation, measure) a reviewer asks for: ``status``
    open (nobody decided) | beoordeeld | mijn (decided by ``reviewer``); ``year``,
    ``document_id``, ``stage`` (the stage a reviewer gave, else the suggested one);
    sorted by ``order``: rang | score | jaar | document."""

    organisation: str
    measure_id: str
    reviewer: str
    status: str | None = None
    year: int | None = None
    document_id: int | None = None
    stage: str | None = None
    order: str = "rang"


def _queue_filters(f: QueueFilter, mine: Any, any_stage: Any) -> list[Any]:
    """The WHERE conditions of :func:`filtered_queue`."""
    where = [
        candidates.c.organisation_code == f.organisation,
        candidates.c.measure_id == f.measure_id,
    ]
    if f.status == "open":
        where.append(~candidate_decided())
    elif f.status == "beoordeeld":
        where.append(candidate_decided())
    elif f.status == "mijn":
        where.append(mine.c.my_relevant.is_not(None))
    if f.year is not None:
        where.append(documents.c.year == f.year)
    if f.document_id is not None:
        where.append(passages.c.document_id == f.document_id)
    if f.stage:
        where.append(func.coalesce(any_stage, candidates.c.stage_suggested) == f.stage)
    return where


def filtered_queue(
    conn: Connection, f: QueueFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One queue with the filters and order of ``f``. Returns the page of rows and the
    number of rows that match."""
    mine = my_decisions(f.measure_id, f.reviewer)
    on_candidate = same_item(decisions, candidates)
    n_dec = select(func.count(decisions.c.id)).where(*on_candidate).scalar_subquery()
    any_stage = select(func.max(decisions.c.stage)).where(*on_candidate).scalar_subquery()
    base = candidates.join(passages, passages.c.id == candidates.c.passage_id).join(
        documents, documents.c.id == passages.c.document_id
    )
    where = _queue_filters(f, mine, any_stage)
    joined = base.outerjoin(mine, same_candidate_passage(mine))
    sort = {
        "rang": [candidates.c.rank, candidates.c.id],
        "score": [candidates.c.score.desc(), candidates.c.rank],
        "jaar": [documents.c.year.desc(), candidates.c.rank],
        "document": [documents.c.title, passages.c.seq],
    }.get(f.order, [candidates.c.rank, candidates.c.id])
    q = (
        select(
            candidates.c.passage_id,
            candidates.c.rank,
            candidates.c.score,
            candidates.c.stage_suggested,
            passages.c.text,
            passages.c.page_start,
            passages.c.document_id,
            documents.c.title.label("document_title"),
            documents.c.year,
            mine.c.my_relevant,
            mine.c.my_stage,
            n_dec.label("decisions"),
        )
        .select_from(joined)
        .where(*where)
        .order_by(*sort)
        .limit(limit)
        .offset(offset)
    )
    count = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    return row_dicts(conn.execute(q)), int(count)


def queue_documents(
    conn: Connection, *, organisation: str, measure_id: str
) -> list[dict[str, Any]]:
    """The documents and years that occur in one queue (for the filter choices)."""
    q = (
        select(documents.c.id, documents.c.title, documents.c.year)
        .select_from(
            candidates.join(passages, passages.c.id == candidates.c.passage_id).join(
                documents, documents.c.id == passages.c.document_id
            )
        )
        .where(
            candidates.c.organisation_code == organisation, candidates.c.measure_id == measure_id
        )
        .distinct()
        .order_by(documents.c.title)
    )
    return row_dicts(conn.execute(q))


# --------------------------------------------------------------------------- assignments
def set_assignment(
    conn: Connection,
    *,
    reviewer: str,
    organisation_code: str,
    measure_id: str | None,
    priority: int,
    assigned_by: str,
) -> None:
    cond = [
        review_assignments.c.reviewer == reviewer,
        review_assignments.c.organisation_code == organisation_code,
        review_assignments.c.measure_id.is_(None)
        if measure_id is None
        else review_assignments.c.measure_id == measure_id,
    ]
    conn.execute(delete(review_assignments).where(*cond))
    conn.execute(
        insert(review_assignments).values(
            reviewer=reviewer,
            organisation_code=organisation_code,
            measure_id=measure_id,
            priority=priority,
            assigned_by=assigned_by,
            at=utcnow(),
        )
    )


def remove_assignment(conn: Connection, assignment_id: int) -> None:
    conn.execute(delete(review_assignments).where(review_assignments.c.id == assignment_id))


def list_assignments(conn: Connection, *, reviewer: str | None = None) -> list[dict[str, Any]]:
    q = select(review_assignments).order_by(
        review_assignments.c.reviewer,
        review_assignments.c.priority,
        review_assignments.c.organisation_code,
        review_assignments.c.measure_id,
    )
    if reviewer is not None:
        q = q.where(review_assignments.c.reviewer == reviewer)
    return row_dicts(conn.execute(q))


# --------------------------------------------------------------------------- double review
def decisions_for_sampling(
    conn: Connection, *, reviewer: str, organisations: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Decisions of ``reviewer`` (passage, version, measure) that nobody else has judged
    and that are not assigned for a second review yet."""
    d2 = decisions.alias("d2")
    judged_by_other = (
        select(d2.c.id).where(*same_item(d2, decisions), d2.c.reviewer != reviewer).exists()
    )
    assigned = select(double_reviews.c.id).where(*same_item(double_reviews, decisions)).exists()
    q = (
        select(
            decisions.c.passage_id,
            decisions.c.catalog_version,
            decisions.c.measure_id,
            documents.c.organisation_code,
        )
        .select_from(decisions_with_organisation())
        .where(decisions.c.reviewer == reviewer, ~judged_by_other, ~assigned)
        .order_by(decisions.c.id)
    )
    if organisations is not None:
        q = q.where(documents.c.organisation_code.in_(list(organisations)))
    return row_dicts(conn.execute(q))


def add_double_reviews(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    if not rows:
        return 0
    now = utcnow()
    conn.execute(insert(double_reviews), [{**r, "at": now} for r in rows])
    return len(rows)


def reviewers_with_decisions(conn: Connection) -> list[str]:
    rows = conn.execute(select(decisions.c.reviewer).distinct().order_by(decisions.c.reviewer))
    return [r[0] for r in rows]


# --------------------------------------------------------------------------- curations
def get_curation(
    conn: Connection, *, passage_id: int, catalog_version: str, measure_id: str
) -> dict[str, Any] | None:
    r = conn.execute(
        select(curations).where(
            curations.c.passage_id == passage_id,
            curations.c.catalog_version == catalog_version,
            curations.c.measure_id == measure_id,
        )
    ).first()
    return row_dict(r) if r else None


def save_curation(
    conn: Connection,
    *,
    passage_id: int,
    catalog_version: str,
    measure_id: str,
    curator: str,
    originals: list[dict[str, Any]],
) -> None:
    conn.execute(
        delete(curations).where(
            curations.c.passage_id == passage_id,
            curations.c.catalog_version == catalog_version,
            curations.c.measure_id == measure_id,
        )
    )
    conn.execute(
        insert(curations).values(
            passage_id=passage_id,
            catalog_version=catalog_version,
            measure_id=measure_id,
            curator=curator,
            originals=originals,
            at=utcnow(),
        )
    )


def curated_keys(conn: Connection) -> dict[tuple[int, str, str], str]:
    """(passage, catalog version, measure) -> curator, for every settled disagreement."""
    rows = conn.execute(
        select(
            curations.c.passage_id,
            curations.c.catalog_version,
            curations.c.measure_id,
            curations.c.curator,
        )
    )
    return {(int(r[0]), r[1], r[2]): r[3] for r in rows}


def superseded_by_curation() -> Any:
    """SQL condition, true for a decision that a curator's final decision replaces (a
    curation exists for its passage and measure, the curator's own decision still exists
    and this decision is someone else's). For use in queries over ``decisions``."""
    final = decisions.alias("final_decision")
    return (
        select(curations.c.id)
        .select_from(
            curations.join(
                final,
                and_(
                    final.c.passage_id == curations.c.passage_id,
                    final.c.catalog_version == curations.c.catalog_version,
                    final.c.measure_id == curations.c.measure_id,
                    final.c.reviewer == curations.c.curator,
                ),
            )
        )
        .where(
            curations.c.passage_id == decisions.c.passage_id,
            curations.c.catalog_version == decisions.c.catalog_version,
            curations.c.measure_id == decisions.c.measure_id,
            curations.c.curator != decisions.c.reviewer,
        )
        .exists()
    )


# --------------------------------------------------------------------------- logins
def record_login_failure(conn: Connection, *, name_key: str, at: float) -> None:
    conn.execute(insert(login_failures).values(name_key=name_key[:100], at=at))


def count_login_failures(conn: Connection, *, name_key: str, since: float) -> int:
    conn.execute(delete(login_failures).where(login_failures.c.at < since))
    return int(
        conn.execute(
            select(func.count()).where(
                login_failures.c.name_key == name_key[:100], login_failures.c.at >= since
            )
        ).scalar_one()
    )
