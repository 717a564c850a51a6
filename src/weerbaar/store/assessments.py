"""Queries for the assessment: validated evidence, source coverage, score overrides and
agreed roles. Read functions take a ``Connection`` (inside ``ws.read()``); writes take
the workspace and run in one ``ws.write()`` transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, case, func, select, update

from weerbaar.store.db import Workspace, row_dicts, utcnow
from weerbaar.store.decisions import candidate_decided, same_item
from weerbaar.store.documents import READ_STATUSES
from weerbaar.store.review_work import superseded_by_curation
from weerbaar.store.schema import (
    candidates,
    decisions,
    document_names,
    documents,
    organisations,
    pages,
    passages,
    role_matrix,
    scan_coverage,
    score_overrides,
)
from weerbaar.store.validated import validated_clause


def validated_decisions(
    conn: Connection,
    *,
    catalog_version: str | None = None,
    organisations_in: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Decisions that validate a passage for a measure (the rule of ``store.validated``),
    joined with the passage, its document and the suggested stage of the review queue (when the passage was a candidate)."""
    q = (
        select(
            decisions.c.id.label("decision_id"),
            decisions.c.passage_id,
            decisions.c.measure_id,
            decisions.c.catalog_version,
            decisions.c.reviewer,
            decisions.c.stage,
            decisions.c.aspects,
            decisions.c.updated_at,
            passages.c.document_id,
            passages.c.text,
            passages.c.page_start,
            passages.c.page_end,
            passages.c.char_start,
            passages.c.char_end,
            documents.c.organisation_code,
            documents.c.doc_type,
            documents.c.year,
            documents.c.title,
            documents.c.stored_path,
            candidates.c.stage_suggested,
        )
        .join(passages, passages.c.id == decisions.c.passage_id)
        .join(documents, documents.c.id == passages.c.document_id)
        .outerjoin(
            candidates,
            and_(*same_item(candidates, decisions)),
        )
        .where(
            validated_clause(),
            ~superseded_by_curation(),  # a curator's final decision replaces the others
        )
        .order_by(decisions.c.passage_id, decisions.c.measure_id, decisions.c.updated_at)
    )
    if catalog_version:
        q = q.where(decisions.c.catalog_version == catalog_version)
    if organisations_in is not None:
        q = q.where(documents.c.organisation_code.in_(list(organisations_in)))
    return row_dicts(conn.execute(q))


def document_organisations(conn: Connection) -> list[str]:
    """The organisation codes that have documents in the workspace."""
    rows = conn.execute(select(documents.c.organisation_code).distinct())
    return sorted(r[0] for r in rows if r[0])


def collected_documents(
    conn: Connection, *, organisations_in: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Documents of an organisation with their status (read: ``READ_STATUSES``; any other
    status was collected but not read), type, year, title and original file names."""
    q = select(
        documents.c.id,
        documents.c.organisation_code,
        documents.c.doc_type,
        documents.c.year,
        documents.c.title,
        documents.c.stored_path,
        documents.c.status,
    ).where(documents.c.organisation_code.is_not(None))
    if organisations_in is not None:
        q = q.where(documents.c.organisation_code.in_(list(organisations_in)))
    rows = row_dicts(conn.execute(q.order_by(documents.c.id)))
    names_q = select(document_names.c.document_id, document_names.c.name)
    if organisations_in is not None:  # only these documents' names (by the index)
        names_q = names_q.join(documents, documents.c.id == document_names.c.document_id).where(
            documents.c.organisation_code.in_(list(organisations_in))
        )
    names: dict[int, list[str]] = {}
    for doc_id, name in conn.execute(names_q.order_by(document_names.c.id)):
        names.setdefault(doc_id, []).append(name)
    for r in rows:
        r["names"] = list(dict.fromkeys(names.get(r["id"], [])))
    return rows


def review_queue_counts(
    conn: Connection,
    *,
    catalog_version: str,
    organisations_in: Iterable[str] | None = None,
) -> dict[tuple[str, str], tuple[int, int]]:
    """(organisation, measure) -> (candidates in the review queue, of which still open).
    A candidate is open when nobody has recorded a decision on its passage for its
    measure (any outcome: ja, nee or andere)."""
    decided = candidate_decided()
    q = select(
        candidates.c.organisation_code,
        candidates.c.measure_id,
        candidates.c.catalog_version,
        func.count().label("total"),
        func.sum(case((decided, 0), else_=1)).label("open"),
    ).group_by(
        candidates.c.organisation_code, candidates.c.measure_id, candidates.c.catalog_version
    )
    if organisations_in is not None:
        # by the organisations' index; the catalogue version is picked below (with it in
        # the WHERE clause SQLite walks every candidate of the version: 20 ms at 50 k)
        q = q.where(candidates.c.organisation_code.in_(list(organisations_in)))
    else:
        q = q.where(candidates.c.catalog_version == catalog_version)
    return {
        (r.organisation_code, r.measure_id): (int(r.total), int(r.open or 0))
        for r in conn.execute(q)
        if r.catalog_version == catalog_version
    }


def newest_document_year(conn: Connection) -> int | None:
    """The newest year among the workspace's documents (the reference year)."""
    return conn.execute(
        select(func.max(documents.c.year)).where(documents.c.status.in_(READ_STATUSES))
    ).scalar()


def workspace_organisations(conn: Connection) -> list[dict[str, Any]]:
    """Rows of the workspace's own organisations table."""
    return row_dicts(conn.execute(select(organisations).order_by(organisations.c.code)))


def role_assignments(conn: Connection) -> dict[tuple[str, str], str]:
    """(organisation, measure) -> who is responsible, from the role matrix."""
    rows = conn.execute(
        select(
            role_matrix.c.organisation_code, role_matrix.c.measure_id, role_matrix.c.responsible
        ).where(role_matrix.c.responsible.is_not(None))
    )
    return {(r.organisation_code, r.measure_id): r.responsible for r in rows}


def page_text(conn: Connection, document_id: int, page_no: int) -> str | None:
    """The stored text of one page."""
    return conn.execute(
        select(pages.c.text).where(pages.c.document_id == document_id, pages.c.page_no == page_no)
    ).scalar()


# --------------------------------------------------------------------------- overrides
def active_overrides(
    conn: Connection, *, catalog_version: str | None = None
) -> list[dict[str, Any]]:
    """The active override per organisation and measure."""
    q = select(score_overrides).where(score_overrides.c.active.is_(True))
    if catalog_version:
        q = q.where(score_overrides.c.catalog_version == catalog_version)
    return row_dicts(conn.execute(q.order_by(score_overrides.c.id)))


def add_override(
    ws: Workspace,
    *,
    organisation_code: str,
    catalog_version: str,
    measure_id: str,
    score: str,
    computed_score: str | None,
    justification: str,
    reviewer: str,
) -> int:
    """Record an override (deactivating the previous one for the same measure) in one
    transaction; returns its id. Earlier overrides are kept as history."""
    with ws.write() as conn:
        _deactivate_override(conn, organisation_code, catalog_version, measure_id)
        res = conn.execute(
            score_overrides.insert().values(
                organisation_code=organisation_code,
                catalog_version=catalog_version,
                measure_id=measure_id,
                computed_score=computed_score,
                score=score,
                justification=justification,
                reviewer=reviewer,
                at=utcnow(),
                active=True,
            )
        )
        return int(res.inserted_primary_key[0])


def withdraw_override(
    ws: Workspace, *, organisation_code: str, catalog_version: str, measure_id: str
) -> int:
    """Deactivate the active override; returns the number of rows changed."""
    with ws.write() as conn:
        return _deactivate_override(conn, organisation_code, catalog_version, measure_id)


def _deactivate_override(
    conn: Connection, organisation_code: str, catalog_version: str, measure_id: str
) -> int:
    """Deactivate the active override of one measure (kept as history); the rows changed."""
    res = conn.execute(
        update(score_overrides)
        .where(
            score_overrides.c.organisation_code == organisation_code,
            score_overrides.c.catalog_version == catalog_version,
            score_overrides.c.measure_id == measure_id,
            score_overrides.c.active.is_(True),
        )
        .values(active=False)
    )
    return int(res.rowcount or 0)


def unscanned(
    conn: Connection, *, catalog_version: str, organisations_in: Iterable[str], measures: list[str]
) -> set[tuple[str, str]]:
    """(organisation, measure) pairs that no scan covered up to the organisation's newest
    read passage (by id, see ``scan_coverage``): for those, "nothing in the queue" means
    "not looked". A document stored during a scan, or in the second it ends, has higher
    passage ids than the scan read, so it counts as not scanned."""
    wanted = list(dict.fromkeys(organisations_in))
    # only the organisations asked for: their documents by index, not every passage
    newest = dict(
        conn.execute(
            select(documents.c.organisation_code, func.max(passages.c.id))
            .join(passages, passages.c.document_id == documents.c.id)
            .where(
                documents.c.status.in_(READ_STATUSES),
                documents.c.organisation_code.in_(wanted),
            )
            .group_by(documents.c.organisation_code)
        ).all()
    )
    covered = {
        (r.organisation_code, r.measure_id): int(r.max_passage_id)
        for r in conn.execute(
            select(
                scan_coverage.c.organisation_code,
                scan_coverage.c.measure_id,
                scan_coverage.c.max_passage_id,
            ).where(
                scan_coverage.c.catalog_version == catalog_version,
                scan_coverage.c.organisation_code.in_(wanted),
            )
        )
    }
    out: set[tuple[str, str]] = set()
    for org in wanted:
        since = newest.get(org)
        if since is None:
            continue  # no read passage: coverage of the sources decides (onvoldoende bronnen)
        out |= {(org, m) for m in measures if covered.get((org, m), -1) < since}
    return out
