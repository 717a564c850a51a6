"""Queries on documents, their names, pages and passages (the ingest area).

A document's text is its page texts joined by :data:`PAGE_SEPARATOR`; a page's
``doc_start`` is its offset in that text, and a passage's ``char_start:char_end`` slices
it to exactly the passage text. Page texts never contain the separator (the form feed is
removed from page text when it is cleaned, and blocks are joined by at most two
newlines), so the separator marks page breaks only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from weerbaar.store import queue_summary
from weerbaar.store.constants import PAGE_SEPARATOR
from weerbaar.store.constants import READ_STATUSES as READ_STATUSES  # re-exported
from weerbaar.store.db import Workspace, utcnow
from weerbaar.store.schema import decisions, document_names, documents, ingest_runs, pages, passages

_DOC_FIELDS = (
    "sha256",
    "organisation_code",
    "doc_type",
    "year",
    "title",
    "source_url",
    "media_type",
    "size_bytes",
    "pages",
    "status",
    "reason",
    "notes",
    "inferred",
    "stored_path",
    "extractor_version",
)


# --------------------------------------------------------------------------- ingest runs
def start_run(conn: Connection, arguments: dict[str, Any]) -> int:
    res = conn.execute(insert(ingest_runs).values(started_at=utcnow(), arguments=arguments))
    return int(res.inserted_primary_key[0])


def finish_run(conn: Connection, run_id: int, counts: dict[str, int]) -> None:
    conn.execute(
        update(ingest_runs)
        .where(ingest_runs.c.id == run_id)
        .values(finished_at=utcnow(), counts=counts)
    )


# --------------------------------------------------------------------------- documents
def find_by_sha(conn: Connection, sha256: str) -> dict[str, Any] | None:
    row = conn.execute(select(documents).where(documents.c.sha256 == sha256)).mappings().first()
    return dict(row) if row else None


def find_unhashed_by_path(conn: Connection, path: str) -> int | None:
    """The document row (without content hash) recorded earlier for this input path."""
    return conn.execute(
        select(documents.c.id)
        .join(document_names, document_names.c.document_id == documents.c.id)
        .where(documents.c.sha256.is_(None), document_names.c.path == path)
        .limit(1)
    ).scalar()


def status_of(conn: Connection, document_id: int) -> tuple[str, str | None, int | None] | None:
    """(status, reason, size in bytes) of a document row, None when there is none."""
    row = conn.execute(
        select(documents.c.status, documents.c.reason, documents.c.size_bytes).where(
            documents.c.id == document_id
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


def has_name(conn: Connection, document_id: int, path: str) -> bool:
    return (
        conn.execute(
            select(document_names.c.id).where(
                document_names.c.document_id == document_id, document_names.c.path == path
            )
        ).first()
        is not None
    )


def add_name(conn: Connection, document_id: int, path: str, name: str) -> bool:
    """Record a name under which this document was offered; False when already known."""
    if has_name(conn, document_id, path):
        return False
    conn.execute(
        insert(document_names).values(
            document_id=document_id, path=path, name=name, first_seen_at=utcnow()
        )
    )
    return True


def upsert_document(conn: Connection, document_id: int | None, **values: Any) -> int:
    """Insert or update one document row; returns its id."""
    unknown = set(values) - set(_DOC_FIELDS)
    if unknown:
        raise ValueError(f"unknown document fields: {sorted(unknown)}")
    now = utcnow()
    if document_id is None:
        res = conn.execute(insert(documents).values(created_at=now, updated_at=now, **values))
        return int(res.inserted_primary_key[0])
    conn.execute(
        update(documents).where(documents.c.id == document_id).values(updated_at=now, **values)
    )
    return document_id


def replace_content(
    conn: Connection,
    document_id: int,
    page_rows: Sequence[dict[str, Any]],
    passage_rows: Sequence[dict[str, Any]],
) -> dict[str, int]:
    """Store the pages and passages of a document, replacing earlier ones.

    A passage at the same offsets as an earlier one keeps its id (so human decisions stay
    attached); earlier passages that are no longer produced are deleted unless a reviewer
    decision refers to them, in which case they are kept (and counted)."""
    conn.execute(delete(pages).where(pages.c.document_id == document_id))
    if page_rows:
        conn.execute(insert(pages), [{"document_id": document_id, **r} for r in page_rows])
    old = {
        (r.char_start, r.char_end): r.id
        for r in conn.execute(
            select(passages.c.id, passages.c.char_start, passages.c.char_end).where(
                passages.c.document_id == document_id
            )
        )
    }
    new_rows: list[dict[str, Any]] = []
    kept: set[int] = set()
    for r in passage_rows:
        pid = old.get((r["char_start"], r["char_end"]))
        if pid is None:
            new_rows.append({"document_id": document_id, **r})
        else:
            kept.add(pid)
            conn.execute(update(passages).where(passages.c.id == pid).values(**r))
    stale = [pid for pid in old.values() if pid not in kept]
    retained = 0
    if stale:
        referenced = set(
            conn.execute(
                select(decisions.c.passage_id).where(decisions.c.passage_id.in_(stale)).distinct()
            ).scalars()
        )
        retained = len(referenced)
        to_delete = [pid for pid in stale if pid not in referenced]
        if to_delete:
            touched = queue_summary.queues_of_passages(conn, to_delete)
            conn.execute(delete(passages).where(passages.c.id.in_(to_delete)))
            queue_summary.refresh(conn, touched)  # their queue rows went with them
    if new_rows:
        conn.execute(insert(passages), new_rows)
    return {"inserted": len(new_rows), "updated": len(kept), "retained_with_decisions": retained}


def count_passages(conn: Connection, document_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(passages).where(passages.c.document_id == document_id)
        ).scalar()
        or 0
    )


def delete_unhashed_for_path(conn: Connection, path: str) -> None:
    """Drop failure rows without content hash recorded for ``path`` (now read properly)."""
    ids = list(
        conn.execute(
            select(documents.c.id)
            .join(document_names, document_names.c.document_id == documents.c.id)
            .where(documents.c.sha256.is_(None), document_names.c.path == path)
        ).scalars()
    )
    if ids:
        conn.execute(delete(document_names).where(document_names.c.document_id.in_(ids)))
        conn.execute(delete(documents).where(documents.c.id.in_(ids)))


def clear_content(conn: Connection, document_id: int) -> None:
    """Remove pages and (unreviewed) passages of a document that no longer reads."""
    replace_content(conn, document_id, [], [])


# --------------------------------------------------------------------------- reading
def get_document(conn: Connection, document_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(documents).where(documents.c.id == document_id)).mappings().first()
    return dict(row) if row else None


def names_of(conn: Connection, document_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(document_names.c.path, document_names.c.name, document_names.c.first_seen_at)
        .where(document_names.c.document_id == document_id)
        .order_by(document_names.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def document_text(conn: Connection, document_id: int) -> str:
    """The document text: page texts joined by ``PAGE_SEPARATOR``."""
    texts = conn.execute(
        select(pages.c.text).where(pages.c.document_id == document_id).order_by(pages.c.page_no)
    ).scalars()
    return PAGE_SEPARATOR.join(texts)


def page_texts(conn: Connection, document_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(pages.c.page_no, pages.c.doc_start, pages.c.text, pages.c.method)
        .where(pages.c.document_id == document_id)
        .order_by(pages.c.page_no)
    ).mappings()
    return [dict(r) for r in rows]


def passage_context(conn: Connection, passage_id: int, chars: int = 400) -> dict[str, Any] | None:
    """A passage with up to ``chars`` characters of the document text before and after it
    (cut at a word boundary), for showing it in its place."""
    p = conn.execute(select(passages).where(passages.c.id == passage_id)).mappings().first()
    if p is None:
        return None
    lo, hi = max(0, p["char_start"] - chars), p["char_end"] + chars
    doc_id = p["document_id"]
    # only the pages overlapping [lo, hi) are loaded; they are consecutive
    spans = conn.execute(
        select(pages.c.page_no, pages.c.doc_start, func.length(pages.c.text))
        .where(pages.c.document_id == doc_id)
        .order_by(pages.c.page_no)
    ).all()
    wanted = [no for no, start, length in spans if start <= hi and start + length >= lo]
    texts = conn.execute(
        select(pages.c.text)
        .where(pages.c.document_id == doc_id, pages.c.page_no.in_(wanted))
        .order_by(pages.c.page_no)
    ).scalars()
    window = PAGE_SEPARATOR.join(texts)
    base = next((start for no, start, _ in spans if no == wanted[0]), 0) if wanted else 0
    s, e = p["char_start"] - base, p["char_end"] - base
    before = window[max(0, s - chars) : s]
    after = window[e : e + chars]
    if s - chars > 0 and " " in before:
        before = before[before.index(" ") + 1 :]
    if e + chars < len(window) and " " in after:
        after = after[: after.rindex(" ")]
    return {
        "passage_id": passage_id,
        "document_id": p["document_id"],
        "page_start": p["page_start"],
        "page_end": p["page_end"],
        "heading": p["heading"],
        "before": before,
        "text": p["text"],
        "after": after,
    }


def _doc_json(r: Any, counts: dict[int, int]) -> dict[str, Any]:
    return {
        "id": r.id,
        "organisation": r.organisation_code,
        "type": r.doc_type,
        "year": r.year,
        "title": r.title,
        "pages": r.pages,
        "status": r.status,
        "reason": r.reason,
        "passages": counts.get(r.id, 0),
        "media_type": r.media_type,
        "size_bytes": r.size_bytes,
        "sha256": r.sha256,
        "source_url": r.source_url,
        "stored_path": r.stored_path,
        "notes": r.notes,
        "inferred": r.inferred,
    }


def list_documents(
    conn: Connection,
    *,
    organisation: str | None = None,
    status: str | Iterable[str] | None = None,
    doc_type: str | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """Documents (JSON-ready dicts: id, organisation, type, year, title, pages, status,
    reason, passages, ... , names)."""
    q = select(documents).order_by(documents.c.id)
    if organisation is not None:
        q = q.where(documents.c.organisation_code == organisation)
    if status is not None:
        q = q.where(documents.c.status.in_([status] if isinstance(status, str) else list(status)))
    if doc_type is not None:
        q = q.where(documents.c.doc_type == doc_type)
    if year is not None:
        q = q.where(documents.c.year == year)
    counts = dict(
        conn.execute(
            select(passages.c.document_id, func.count()).group_by(passages.c.document_id)
        ).all()
    )
    names: dict[int, list[str]] = {}
    for doc_id, path in conn.execute(
        select(document_names.c.document_id, document_names.c.path).order_by(document_names.c.id)
    ):
        names.setdefault(doc_id, []).append(path)
    out = []
    for r in conn.execute(q):
        d = _doc_json(r, counts)
        d["names"] = names.get(r.id, [])
        out.append(d)
    return out


def list_passages(
    conn: Connection,
    *,
    document_id: int | None = None,
    organisation: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Passages (JSON-ready: id, document_id, organisation, page, page_end, start, end,
    text, heading, kind, words, text_hash), in document order."""
    q = (
        select(passages, documents.c.organisation_code)
        .join(documents, documents.c.id == passages.c.document_id)
        .order_by(passages.c.document_id, passages.c.seq, passages.c.id)
    )
    if document_id is not None:
        q = q.where(passages.c.document_id == document_id)
    if organisation is not None:
        q = q.where(documents.c.organisation_code == organisation)
    if limit is not None:
        q = q.limit(limit)
    if offset:
        q = q.offset(offset)
    return [
        {
            "id": r.id,
            "document_id": r.document_id,
            "organisation": r.organisation_code,
            "page": r.page_start,
            "page_end": r.page_end,
            "start": r.char_start,
            "end": r.char_end,
            "text": r.text,
            "heading": r.heading,
            "kind": r.kind,
            "words": r.words,
            "text_hash": r.text_hash,
        }
        for r in conn.execute(q)
    ]


def count_rows(conn: Connection) -> dict[str, int]:
    """Row counts of the ingest tables (for tests and summaries)."""
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
        for t in (documents, document_names, pages, passages)
    }


def add_plain_document(
    ws: Workspace,
    organisation: str,
    texts: list[str],
    *,
    year: int,
    doc_type: str,
    title: str | None = None,
) -> int:
    """Store ready-made passages as a one-page document, without reading a file: for
    generated data in tests and benchmarks. Real documents go through ``weerbaar.ingest``.
    The page text is the passages joined by blank lines; offsets slice it exactly."""
    import hashlib

    body = "\n\n".join(texts)
    with ws.write() as conn:
        did = upsert_document(
            conn,
            None,
            sha256=hashlib.sha256(f"{organisation}{year}{body}".encode()).hexdigest(),
            organisation_code=organisation,
            doc_type=doc_type,
            year=year,
            title=title or f"{doc_type} {organisation} {year}",
            pages=1,
            status="ok",
        )
        rows, pos = [], 0
        for i, t in enumerate(texts):
            rows.append(
                {
                    "seq": i,
                    "page_start": 1,
                    "page_end": 1,
                    "char_start": pos,
                    "char_end": pos + len(t),
                    "text": t,
                    "kind": "tekst",
                    "text_hash": hashlib.sha256(t.encode()).hexdigest(),
                    "words": len(t.split()),
                }
            )
            pos += len(t) + 2
        replace_content(conn, did, [{"page_no": 1, "doc_start": 0, "text": body}], rows)
    return did


def move_document(
    conn: Connection, document_id: int, organisation_code: str, *, actor: str, at: str
) -> dict[str, Any]:
    """Give a stored document to another organisation, on explicit request only.

    The review-queue rows of the old organisation for its passages are removed (the new
    organisation's scan puts them in its own queue); decisions stay as they are, with
    their reviewers, and follow the document. The move is recorded in the audit log."""
    from weerbaar.store.audit import append_event
    from weerbaar.store.schema import candidates

    old = conn.execute(
        select(documents.c.organisation_code).where(documents.c.id == document_id)
    ).scalar_one()
    passage_ids = select(passages.c.id).where(passages.c.document_id == document_id)
    n_decisions = int(
        conn.execute(
            select(func.count())
            .select_from(decisions)
            .where(decisions.c.passage_id.in_(passage_ids))
        ).scalar()
        or 0
    )
    leaving = and_(
        candidates.c.passage_id.in_(passage_ids),
        candidates.c.organisation_code != organisation_code,
    )
    touched = {
        (r[0], r[1], r[2])
        for r in conn.execute(
            select(candidates.c.catalog_version, candidates.c.organisation_code,
                   candidates.c.measure_id).where(leaving).distinct()
        )
    }  # fmt: skip
    removed = conn.execute(candidates.delete().where(leaving)).rowcount
    queue_summary.refresh(conn, touched)
    conn.execute(
        documents.update()
        .where(documents.c.id == document_id)
        .values(organisation_code=organisation_code)
    )
    # the passages keep their ids: without this the new organisation would count them as
    # scanned (freshness is by passage id); now it is "not yet scanned" until its next scan
    from weerbaar.store.schema import scan_coverage

    conn.execute(
        scan_coverage.delete().where(scan_coverage.c.organisation_code == organisation_code)
    )
    details = {
        "document_id": document_id,
        "from": old,
        "to": organisation_code,
        "decisions": n_decisions,
        "queue_rows_removed": int(removed or 0),
    }
    append_event(
        conn,
        actor=actor,
        action="document_verplaatst",
        subject=f"document {document_id}",
        details=details,
        at=at,
    )
    return details
