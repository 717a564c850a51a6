"""Queries for reviewer decisions, their append-only log and the review queue.

Only this module (and the rest of ``store/``) speaks SQL; ``weerbaar.review`` and the web
app call these functions inside ``ws.read()`` / ``ws.write()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, case, func, select, text

from weerbaar.store import queue_summary
from weerbaar.store.db import row_dict, row_dicts
from weerbaar.store.schema import (
    candidates,
    decision_log,
    decisions,
    documents,
    metadata,
    pages,
    passages,
)

#: The fields of a decision that a reviewer sets (what the log's before/after hold).
DECISION_FIELDS = (
    "source_ok",
    "relevant",
    "other_measure_id",
    "context_ok",
    "stage",
    "aspects",
    "comment",
)


def decision_state(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a decision row that is logged as before/after."""
    if row is None:
        return None
    state = {k: row.get(k) for k in DECISION_FIELDS}
    state["id"] = row.get("id")
    state["catalog_version"] = row.get("catalog_version")
    return state


# --------------------------------------------------------------------------- decisions
def get_decision(
    conn: Connection, *, passage_id: int, catalog_version: str, measure_id: str, reviewer: str
) -> dict[str, Any] | None:
    r = conn.execute(
        select(decisions).where(
            decisions.c.passage_id == passage_id,
            decisions.c.catalog_version == catalog_version,
            decisions.c.measure_id == measure_id,
            decisions.c.reviewer == reviewer,
        )
    ).first()
    return row_dict(r) if r else None


def get_decision_by_id(conn: Connection, decision_id: int) -> dict[str, Any] | None:
    r = conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
    return row_dict(r) if r else None


def _item_of(conn: Connection, decision_id: int) -> list[queue_summary.Item]:
    """The (passage, version, measure) of a stored decision (empty when there is none)."""
    r = conn.execute(
        select(decisions.c.passage_id, decisions.c.catalog_version, decisions.c.measure_id).where(
            decisions.c.id == decision_id
        )
    ).first()
    return [(int(r[0]), r[1], r[2])] if r else []


def insert_decision(conn: Connection, values: dict[str, Any]) -> int:
    """Store a new decision; the counts of the queues it is in follow."""
    decision_id = int(conn.execute(decisions.insert().values(**values)).inserted_primary_key[0])
    queue_summary.refresh_items(conn, _item_of(conn, decision_id))
    return decision_id


def update_decision(conn: Connection, decision_id: int, values: dict[str, Any]) -> None:
    """Change a decision; the counts of the queues it is (and was) in follow."""
    before = _item_of(conn, decision_id)
    conn.execute(decisions.update().where(decisions.c.id == decision_id).values(**values))
    queue_summary.refresh_items(conn, before + _item_of(conn, decision_id))


def delete_decision(conn: Connection, decision_id: int) -> None:
    """Remove a decision; the counts of the queues it was in follow."""
    before = _item_of(conn, decision_id)
    conn.execute(decisions.delete().where(decisions.c.id == decision_id))
    queue_summary.refresh_items(conn, before)


def append_log(
    conn: Connection,
    *,
    decision_id: int | None,
    passage_id: int,
    measure_id: str,
    reviewer: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: str,
    actor: str | None = None,
) -> int:
    """Append one row to the decision log (never updated or deleted; hash-chained).
    ``actor`` is who wrote the row when that is not ``reviewer`` (an import)."""
    from weerbaar.store.audit import append_chained

    return append_chained(
        conn,
        "decision_log",
        {
            "decision_id": decision_id,
            "passage_id": passage_id,
            "measure_id": measure_id,
            "reviewer": reviewer,
            "actor": actor,
            "action": action,
            "before": before,
            "after": after,
            "at": at,
        },
    )


def reviewer_log_desc(conn: Connection, reviewer: str) -> Iterable[dict[str, Any]]:
    """The reviewer's log rows, newest first (lazily)."""
    result = conn.execute(
        select(decision_log)
        .where(decision_log.c.reviewer == reviewer)
        .order_by(decision_log.c.id.desc())
    )
    for r in result:
        yield row_dict(r)


def list_log(
    conn: Connection,
    *,
    organisations: Sequence[str] | None = None,
    measure_id: str | None = None,
    reviewer: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Log rows (newest first) with the passage's document and organisation.

    ``organisations`` limits to passages of those organisations (None = all)."""
    q = (
        select(
            decision_log,
            documents.c.organisation_code,
            documents.c.title.label("document_title"),
        )
        .select_from(
            decision_log.outerjoin(passages, passages.c.id == decision_log.c.passage_id).outerjoin(
                documents, documents.c.id == passages.c.document_id
            )
        )
        .order_by(decision_log.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if organisations is not None:
        q = q.where(documents.c.organisation_code.in_(list(organisations)))
    if measure_id:
        q = q.where(decision_log.c.measure_id == measure_id)
    if reviewer:
        q = q.where(decision_log.c.reviewer == reviewer)
    return row_dicts(conn.execute(q))


def query_decisions(
    conn: Connection,
    *,
    measure_id: str | None = None,
    reviewer: str | None = None,
    organisations: Sequence[str] | None = None,
    passage_id: int | None = None,
    catalog_version: str | None = None,
) -> list[dict[str, Any]]:
    """Decisions with the passage's document sha256, offsets and organisation."""
    q = (
        select(
            decisions,
            passages.c.document_id,
            passages.c.char_start,
            passages.c.char_end,
            passages.c.text_hash,
            documents.c.sha256.label("document_sha256"),
            documents.c.organisation_code,
        )
        .select_from(decisions_with_organisation())
        .order_by(decisions.c.id)
    )
    if measure_id:
        q = q.where(decisions.c.measure_id == measure_id)
    if reviewer:
        q = q.where(decisions.c.reviewer == reviewer)
    if organisations is not None:
        q = q.where(documents.c.organisation_code.in_(list(organisations)))
    if passage_id is not None:
        q = q.where(decisions.c.passage_id == passage_id)
    if catalog_version:
        q = q.where(decisions.c.catalog_version == catalog_version)
    return row_dicts(conn.execute(q))


# --------------------------------------------------------------------------- passages
def get_passage(conn: Connection, passage_id: int) -> dict[str, Any] | None:
    """A passage with its document's metadata (title, organisation, year, sha256, ...)."""
    r = conn.execute(
        select(
            passages,
            documents.c.organisation_code,
            documents.c.title.label("document_title"),
            documents.c.year,
            documents.c.doc_type,
            documents.c.sha256.label("document_sha256"),
            documents.c.media_type,
            documents.c.stored_path,
            documents.c.source_url,
            documents.c.pages.label("document_pages"),
        )
        .select_from(passages.join(documents, documents.c.id == passages.c.document_id))
        .where(passages.c.id == passage_id)
    ).first()
    return row_dict(r) if r else None


def find_passage_by_offsets(
    conn: Connection, *, document_sha256: str, char_start: int, char_end: int
) -> int | None:
    r = conn.execute(
        select(passages.c.id)
        .select_from(passages.join(documents, documents.c.id == passages.c.document_id))
        .where(
            documents.c.sha256 == document_sha256,
            passages.c.char_start == char_start,
            passages.c.char_end == char_end,
        )
    ).first()
    return int(r[0]) if r else None


def neighbour_passages(
    conn: Connection, *, document_id: int, seq: int, before: int = 1, after: int = 1
) -> list[dict[str, Any]]:
    """Passages around ``seq`` in the same document (for context), in order."""
    rows = conn.execute(
        select(passages.c.id, passages.c.seq, passages.c.text, passages.c.heading)
        .where(
            passages.c.document_id == document_id,
            passages.c.seq >= seq - before,
            passages.c.seq <= seq + after,
        )
        .order_by(passages.c.seq)
    )
    return row_dicts(rows)


def document_pages(
    conn: Connection, document_id: int, page_from: int, page_to: int
) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(pages.c.page_no, pages.c.doc_start, pages.c.text)
        .where(
            pages.c.document_id == document_id,
            pages.c.page_no >= page_from,
            pages.c.page_no <= page_to,
        )
        .order_by(pages.c.page_no)
    )
    return row_dicts(rows)


def get_document(conn: Connection, document_id: int) -> dict[str, Any] | None:
    r = conn.execute(select(documents).where(documents.c.id == document_id)).first()
    return row_dict(r) if r else None


# --------------------------------------------------------------------------- queue
def same_item(a: Any, b: Any) -> list[Any]:
    """SQL conditions: a row of ``a`` and a row of ``b`` (tables, aliases or subqueries)
    concern the same item, one passage for one measure in one catalogue version."""
    return [
        a.c.passage_id == b.c.passage_id,
        a.c.measure_id == b.c.measure_id,
        a.c.catalog_version == b.c.catalog_version,
    ]


def same_candidate_passage(sub: Any) -> Any:
    """SQL join condition: ``sub`` (decisions of one measure) is about the candidate's
    passage in the candidate's catalogue version."""
    return and_(
        sub.c.passage_id == candidates.c.passage_id,
        sub.c.catalog_version == candidates.c.catalog_version,
    )


def candidate_decided() -> Any:
    """SQL clause: someone has recorded a decision (any outcome) on the candidate."""
    return select(decisions.c.id).where(*same_item(decisions, candidates)).exists()


def my_decisions(measure_id: str, reviewer: str) -> Any:
    """Subquery: ``reviewer``'s decisions on ``measure_id`` (``my_relevant``,
    ``my_stage``), to join to the candidates with :func:`same_candidate_passage`."""
    return (
        select(
            decisions.c.passage_id,
            decisions.c.catalog_version,
            decisions.c.relevant.label("my_relevant"),
            decisions.c.stage.label("my_stage"),
        )
        .where(decisions.c.measure_id == measure_id, decisions.c.reviewer == reviewer)
        .subquery()
    )


def decisions_with_organisation() -> Any:
    """Decisions joined to their passage and its document (for the organisation)."""
    return decisions.join(passages, passages.c.id == decisions.c.passage_id).join(
        documents, documents.c.id == passages.c.document_id
    )


def queue_counts(
    conn: Connection,
    *,
    catalog_version: str | None = None,
    organisations: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Per (organisation, measure): candidates, reviewed (passages with any decision)
    and relevant (passages some decision marks ``ja``), from the kept counts
    (``store/queue_summary.py``)."""
    return queue_summary.queue_counts(
        conn, catalog_version=catalog_version, organisations=organisations
    )


def organisation_counts(
    conn: Connection,
    *,
    catalog_version: str | None = None,
    organisations: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Per organisation: measures with a queue, candidates, reviewed and relevant, from
    the kept counts (``store/queue_summary.py``)."""
    return queue_summary.organisation_counts(
        conn, catalog_version=catalog_version, organisations=organisations
    )


def queue(
    conn: Connection,
    *,
    organisation: str,
    measure_id: str,
    catalog_version: str | None = None,
    reviewer: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The review queue in rank order: candidate passages with, when ``reviewer`` is
    given, that reviewer's decision (``my_relevant``) and the number of decisions."""
    mine = my_decisions(measure_id, reviewer or "")
    q = (
        select(
            candidates.c.id.label("candidate_id"),
            candidates.c.passage_id,
            candidates.c.rank,
            candidates.c.score,
            candidates.c.stage_suggested,
            candidates.c.catalog_version,
            passages.c.text,
            passages.c.heading,
            passages.c.page_start,
            documents.c.title.label("document_title"),
            documents.c.year,
            mine.c.my_relevant,
            mine.c.my_stage,
        )
        .select_from(
            candidates.join(passages, passages.c.id == candidates.c.passage_id)
            .join(documents, documents.c.id == passages.c.document_id)
            .outerjoin(mine, same_candidate_passage(mine))
        )
        .where(
            candidates.c.organisation_code == organisation,
            candidates.c.measure_id == measure_id,
        )
        .order_by(candidates.c.rank, candidates.c.id)
        .limit(limit)
        .offset(offset)
    )
    if catalog_version:
        q = q.where(candidates.c.catalog_version == catalog_version)
    return row_dicts(conn.execute(q))


def next_in_queue(
    conn: Connection,
    *,
    organisation: str,
    measure_id: str,
    reviewer: str,
    catalog_version: str | None = None,
    after_rank: int | None = None,
) -> int | None:
    """The first passage in rank order that ``reviewer`` has not decided yet."""
    decided = (
        select(decisions.c.passage_id)
        .where(
            decisions.c.measure_id == measure_id,
            decisions.c.reviewer == reviewer,
            decisions.c.catalog_version == candidates.c.catalog_version,
            decisions.c.passage_id == candidates.c.passage_id,
        )
        .exists()
    )
    q = (
        select(candidates.c.passage_id)
        .where(
            candidates.c.organisation_code == organisation,
            candidates.c.measure_id == measure_id,
            ~decided,
        )
        .order_by(candidates.c.rank, candidates.c.id)
        .limit(1)
    )
    if catalog_version:
        q = q.where(candidates.c.catalog_version == catalog_version)
    if after_rank is not None:
        q = q.where(candidates.c.rank > after_rank)
    r = conn.execute(q).first()
    return int(r[0]) if r else None


def candidate_for(conn: Connection, *, passage_id: int, measure_id: str) -> dict[str, Any] | None:
    r = conn.execute(
        select(candidates)
        .where(candidates.c.passage_id == passage_id, candidates.c.measure_id == measure_id)
        .order_by(candidates.c.id.desc())
        .limit(1)
    ).first()
    return row_dict(r) if r else None


def queue_scores(
    conn: Connection, *, organisation: str, measure_id: str, catalog_version: str | None = None
) -> list[dict[str, Any]]:
    """Every candidate's score with whether any decision marks it relevant / decided."""
    rel = (
        select(
            decisions.c.passage_id,
            decisions.c.catalog_version,
            func.max(case((decisions.c.relevant == "ja", 1), else_=0)).label("is_relevant"),
        )
        .where(decisions.c.measure_id == measure_id)
        .group_by(decisions.c.passage_id, decisions.c.catalog_version)
        .subquery()
    )
    q = (
        select(
            candidates.c.passage_id,
            candidates.c.rank,
            candidates.c.score,
            rel.c.is_relevant,
        )
        .select_from(candidates.outerjoin(rel, same_candidate_passage(rel)))
        .where(
            candidates.c.organisation_code == organisation,
            candidates.c.measure_id == measure_id,
        )
        .order_by(candidates.c.rank)
    )
    if catalog_version:
        q = q.where(candidates.c.catalog_version == catalog_version)
    return row_dicts(conn.execute(q))


def candidate_catalog_version(conn: Connection, *, passage_id: int, measure_id: str) -> str | None:
    r = conn.execute(
        select(candidates.c.catalog_version)
        .where(candidates.c.passage_id == passage_id, candidates.c.measure_id == measure_id)
        .order_by(candidates.c.id.desc())
        .limit(1)
    ).first()
    return str(r[0]) if r else None


def passage_organisation(conn: Connection, passage_id: int) -> str | None:
    r = conn.execute(
        select(documents.c.organisation_code)
        .select_from(passages.join(documents, documents.c.id == passages.c.document_id))
        .where(passages.c.id == passage_id)
    ).first()
    return r[0] if r else None


# --------------------------------------------------------------------------- bulk rows
def bulk_insert(conn: Connection, table_name: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows into one table with ``executemany`` (fixtures, benchmarks, demo
    data). ``table_name`` must be a table of the workspace schema. Rows of the review
    queue or decisions also update the queue counts (``store/queue_summary.py``)."""
    if not rows:
        return
    table = metadata.tables[table_name]
    conn.execute(table.insert(), list(rows))
    if table_name == "candidates":
        queue_summary.refresh(
            conn, {(r["catalog_version"], r["organisation_code"], r["measure_id"]) for r in rows}
        )
    elif table_name == "decisions":
        queue_summary.refresh_items(
            conn, {(int(r["passage_id"]), r["catalog_version"], r["measure_id"]) for r in rows}
        )
    if conn.dialect.name == "postgresql" and "id" in rows[0] and "id" in table.c:
        # explicit ids: move the id sequence past them, as SQLite does by itself
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )
        )


def document_id_by_sha(conn: Connection, sha256: str) -> int:
    return int(
        conn.execute(select(documents.c.id).where(documents.c.sha256 == sha256)).scalar_one()
    )


def document_passages(conn: Connection, document_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(passages.c.id, passages.c.seq, passages.c.page_start, passages.c.text)
        .where(passages.c.document_id == document_id)
        .order_by(passages.c.seq)
    )
    return row_dicts(rows)


def any_candidate(conn: Connection, *, passage_id: int) -> dict[str, Any] | None:
    """The best-ranked candidate row of a passage (any measure)."""
    r = conn.execute(
        select(candidates)
        .where(candidates.c.passage_id == passage_id)
        .order_by(candidates.c.rank, candidates.c.id)
        .limit(1)
    ).first()
    return row_dict(r) if r else None


def passage_queues(conn: Connection, *, passage_id: int) -> list[dict[str, Any]]:
    """The queue rows (candidates) of one passage, best rank first."""
    rows = conn.execute(
        select(candidates)
        .where(candidates.c.passage_id == passage_id)
        .order_by(candidates.c.rank, candidates.c.id)
    )
    return row_dicts(rows)
