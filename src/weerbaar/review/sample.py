"""Put documents, pages, passages and candidate rows straight into a workspace, for
tests, benchmarks and demonstrations of the review app (no parsing involved).

Offsets are exact: the document text is the page texts joined by the page separator and
every passage slices it to exactly its text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from weerbaar.review.core import PAGE_SEPARATOR
from weerbaar.store import Workspace, utcnow
from weerbaar.store import decisions as q


@dataclass(frozen=True)
class SamplePassage:
    id: int
    document_id: int
    page: int
    text: str


def add_document(
    ws: Workspace,
    *,
    organisation_code: str,
    title: str,
    pages: Sequence[Sequence[str]],
    year: int | None = 2024,
    doc_type: str | None = "beleidsplan",
    stored_path: str | None = None,
    media_type: str = "text/plain",
    headings: Sequence[str | None] | None = None,
    sha256: str | None = None,
) -> list[SamplePassage]:
    """Add one document whose page ``i`` consists of the paragraphs ``pages[i]``; each
    paragraph becomes one passage (paragraphs on a page are joined by a blank line).
    Returns the passages in order."""
    page_texts = ["\n\n".join(paras) for paras in pages]
    full = PAGE_SEPARATOR.join(page_texts)
    digest = sha256 or hashlib.sha256((organisation_code + title + full).encode()).hexdigest()
    now = utcnow()
    out: list[SamplePassage] = []
    with ws.write() as conn:
        q.bulk_insert(
            conn,
            "documents",
            [
                {
                    "sha256": digest,
                    "organisation_code": organisation_code,
                    "doc_type": doc_type,
                    "year": year,
                    "title": title,
                    "media_type": media_type,
                    "size_bytes": len(full.encode()),
                    "pages": len(page_texts),
                    "status": "ok",
                    "stored_path": stored_path,
                    "extractor_version": "sample.v1",
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        doc_id = _document_id(conn, digest)
        page_rows, passage_rows = _page_and_passage_rows(doc_id, pages, page_texts, headings)
        q.bulk_insert(conn, "pages", page_rows)
        q.bulk_insert(conn, "passages", passage_rows)
        for row in q.document_passages(conn, doc_id):
            out.append(
                SamplePassage(
                    id=row["id"], document_id=doc_id, page=row["page_start"], text=row["text"]
                )
            )
    return out


def _page_and_passage_rows(
    doc_id: int,
    pages: Sequence[Sequence[str]],
    page_texts: list[str],
    headings: Sequence[str | None] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The page rows and one passage row per paragraph, with the paragraph's offsets in
    the document text (pages joined by the page separator)."""
    page_rows: list[dict[str, Any]] = []
    passage_rows: list[dict[str, Any]] = []
    offset, seq = 0, 0
    for page_no, (paras, text) in enumerate(zip(pages, page_texts, strict=True), start=1):
        page_rows.append(
            {"document_id": doc_id, "page_no": page_no, "doc_start": offset, "text": text}
        )
        pos = 0
        for para in paras:
            start = text.index(para, pos)
            pos = start + len(para)
            heading = headings[seq] if headings and seq < len(headings) else None
            passage_rows.append(
                {
                    "document_id": doc_id,
                    "seq": seq,
                    "page_start": page_no,
                    "page_end": page_no,
                    "char_start": offset + start,
                    "char_end": offset + pos,
                    "text": para,
                    "heading": heading,
                    "kind": "tekst",
                    "text_hash": hashlib.sha256(para.encode()).hexdigest(),
                    "words": len(para.split()),
                }
            )
            seq += 1
        offset += len(text) + len(PAGE_SEPARATOR)
    return page_rows, passage_rows


def _document_id(conn: Any, sha256: str) -> int:
    return q.document_id_by_sha(conn, sha256)


def add_candidates(
    ws: Workspace,
    *,
    organisation_code: str,
    measure_id: str,
    passage_ids: Sequence[int],
    catalog_version: str | None = None,
    stage_suggested: str | None = None,
    method: str = "sample.v1",
) -> None:
    """Put passages in the review queue of one measure, ranked in the given order
    (``catalog_version`` defaults to the newest catalogue)."""
    if catalog_version is None:
        from weerbaar.catalog import load_catalog

        catalog_version = load_catalog().version
    now = utcnow()
    rows = [
        {
            "organisation_code": organisation_code,
            "catalog_version": catalog_version,
            "measure_id": measure_id,
            "passage_id": pid,
            "rank": rank,
            "score": 1.0 / rank,
            "stage_suggested": stage_suggested,
            "method": method,
            "updated_at": now,
        }
        for rank, pid in enumerate(passage_ids, start=1)
    ]
    with ws.write() as conn:
        q.bulk_insert(conn, "candidates", rows)
