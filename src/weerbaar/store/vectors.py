"""Queries for dense passage vectors (table ``passage_vectors``) and for reading
passages in bulk for the search indexes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy import text as sql

from weerbaar.store.db import WRITE_LOCK_KEY, Workspace
from weerbaar.store.schema import documents, passage_vectors, passages


def passage_ids(conn: Connection) -> np.ndarray:
    """All passage ids, ascending."""
    rows = conn.execute(select(passages.c.id).order_by(passages.c.id)).scalars().all()
    return np.asarray(rows, dtype=np.int64)


def passages_state(conn: Connection) -> tuple[int, int, int]:
    """(count, max id, sum of ids) of the passages: a cheap fingerprint of the set."""
    from sqlalchemy import func

    r = conn.execute(
        select(func.count(passages.c.id), func.max(passages.c.id), func.sum(passages.c.id))
    ).one()
    return int(r[0] or 0), int(r[1] or 0), int(r[2] or 0)


def vector_count(conn: Connection, model: str) -> int:
    from sqlalchemy import func

    return int(
        conn.execute(
            select(func.count())
            .select_from(passage_vectors)
            .where(passage_vectors.c.model == model)
        ).scalar()
        or 0
    )


def passage_texts(conn: Connection, ids: Sequence[int], chunk: int = 900) -> dict[int, str]:
    """Texts of the given passages."""
    out: dict[int, str] = {}
    ids = [int(i) for i in ids]
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        for pid, text in conn.execute(
            select(passages.c.id, passages.c.text).where(passages.c.id.in_(part))
        ):
            out[int(pid)] = text
    return out


def passages_without_vector(
    conn: Connection, model: str, limit: int = 1000
) -> list[tuple[int, str]]:
    """Passages that have no vector for ``model`` yet (id, text), oldest first."""
    have = select(passage_vectors.c.passage_id).where(passage_vectors.c.model == model)
    rows = conn.execute(
        select(passages.c.id, passages.c.text)
        .where(passages.c.id.not_in(have))
        .order_by(passages.c.id)
        .limit(limit)
    )
    return [(int(r[0]), r[1]) for r in rows]


def count_without_vector(conn: Connection, model: str) -> int:
    """Number of passages without a vector for ``model``."""
    from sqlalchemy import func

    have = select(passage_vectors.c.passage_id).where(passage_vectors.c.model == model)
    return int(
        conn.execute(
            select(func.count()).select_from(passages).where(passages.c.id.not_in(have))
        ).scalar()
        or 0
    )


def save_vectors(conn: Connection, model: str, ids: Sequence[int], vectors: np.ndarray) -> None:
    """Store vectors as float16 bytes (half the size; cosine error below 1e-3)."""
    if not len(ids):
        return
    v16 = np.asarray(vectors, dtype=np.float16)
    conn.execute(
        delete(passage_vectors).where(
            passage_vectors.c.model == model,
            passage_vectors.c.passage_id.in_([int(i) for i in ids]),
        )
    )
    conn.execute(
        insert(passage_vectors),
        [
            {"passage_id": int(i), "model": model, "dim": int(v16.shape[1]), "vector": v.tobytes()}
            for i, v in zip(ids, v16, strict=True)
        ],
    )


def iter_vectors(conn: Connection, model: str, min_id: int = 0) -> Iterator[tuple[int, bytes]]:
    rows = conn.execute(
        select(passage_vectors.c.passage_id, passage_vectors.c.vector)
        .where(passage_vectors.c.model == model, passage_vectors.c.passage_id > min_id)
        .order_by(passage_vectors.c.passage_id)
    )
    for pid, blob in rows:
        yield int(pid), blob


def load_vectors(conn: Connection, model: str, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """All vectors of ``model``: (ids ascending, float16 matrix)."""
    ids: list[int] = []
    blobs: list[bytes] = []
    for pid, blob in iter_vectors(conn, model):
        ids.append(pid)
        blobs.append(blob)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float16)
    mat = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(ids), dim)
    return np.asarray(ids, dtype=np.int64), mat


def vectors_for(
    conn: Connection, model: str, ids: Sequence[int] | np.ndarray, dim: int, chunk: int = 900
) -> tuple[np.ndarray, np.ndarray]:
    """The stored vectors of ``model`` for the given passages (those that have one):
    (ids ascending, float16 matrix). Reads only these rows, whatever the number of
    vectors in the workspace."""
    found: list[tuple[int, bytes]] = []
    want = sorted({int(i) for i in ids})
    for i in range(0, len(want), chunk):
        part = want[i : i + chunk]
        found.extend(
            (int(pid), blob)
            for pid, blob in conn.execute(
                select(passage_vectors.c.passage_id, passage_vectors.c.vector).where(
                    passage_vectors.c.model == model, passage_vectors.c.passage_id.in_(part)
                )
            )
        )
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float16)
    found.sort()
    mat = np.frombuffer(b"".join(b for _, b in found), dtype=np.float16).reshape(len(found), -1)
    return np.asarray([p for p, _ in found], dtype=np.int64), mat


def organisation_passage_counts(conn: Connection) -> dict[str, int]:
    """Number of passages per organisation code ("" for documents without one)."""
    from sqlalchemy import func

    rows = conn.execute(
        select(documents.c.organisation_code, func.count(passages.c.id))
        .join(documents, documents.c.id == passages.c.document_id)
        .group_by(documents.c.organisation_code)
    )
    out: dict[str, int] = {}
    for code, n in rows:
        out[code or ""] = out.get(code or "", 0) + int(n)
    return out


def organisation_passage_ids(conn: Connection, organisation_code: str) -> np.ndarray:
    """Ids (ascending) of the passages of one organisation's documents ("": documents
    without an organisation)."""
    col = documents.c.organisation_code
    where = (col.is_(None) | (col == "")) if not organisation_code else col == organisation_code
    rows = (
        conn.execute(
            select(passages.c.id)
            .join(documents, documents.c.id == passages.c.document_id)
            .where(where)
            .order_by(passages.c.id)
        )
        .scalars()
        .all()
    )
    return np.asarray(rows, dtype=np.int64)


def passage_meta(conn: Connection) -> dict[str, np.ndarray]:
    """Per passage (ascending id): organisation code, year and document type, for
    filtering and for grouping the review queue by organisation."""
    rows = conn.execute(
        select(
            passages.c.id,
            documents.c.organisation_code,
            documents.c.year,
            documents.c.doc_type,
        )
        .join(documents, documents.c.id == passages.c.document_id)
        .order_by(passages.c.id)
    ).all()
    return {
        "id": np.asarray([r[0] for r in rows], dtype=np.int64),
        "organisation": np.asarray([r[1] or "" for r in rows], dtype=object),
        "year": np.asarray([r[2] if r[2] is not None else -1 for r in rows], dtype=np.int64),
        "doc_type": np.asarray([r[3] or "" for r in rows], dtype=object),
    }


def passage_details(conn: Connection, ids: Sequence[int]) -> dict[int, dict]:
    """Text and source of the given passages (for search results)."""
    out: dict[int, dict] = {}
    ids = [int(i) for i in ids]
    for i in range(0, len(ids), 900):
        rows = conn.execute(
            select(
                passages.c.id,
                passages.c.text,
                passages.c.document_id,
                passages.c.page_start,
                passages.c.page_end,
                passages.c.heading,
                documents.c.organisation_code,
                documents.c.year,
                documents.c.doc_type,
                documents.c.title,
            )
            .join(documents, documents.c.id == passages.c.document_id)
            .where(passages.c.id.in_(ids[i : i + 900]))
        )
        for r in rows:
            out[int(r[0])] = dict(r._mapping)
    return out


class VectorBatch:
    """Passages without a vector, claimed for embedding (see :func:`claim_unembedded`)."""

    def __init__(
        self, ws: Workspace, model: str, rows: list[tuple[int, str]], conn: Connection | None
    ):
        self.ws = ws
        self.model = model
        self.rows = rows
        self._conn = conn

    def save(self, vectors: np.ndarray) -> None:
        """Store the vectors of the batch's passages (in the claim's transaction)."""
        ids = [i for i, _ in self.rows]
        if self._conn is None:
            with self.ws.write() as conn:
                save_vectors(conn, self.model, ids, vectors)
            return
        self._conn.execute(sql("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
        save_vectors(self._conn, self.model, ids, vectors)


@contextmanager
def claim_unembedded(ws: Workspace, model: str, limit: int = 256) -> Iterator[VectorBatch]:
    """Up to ``limit`` passages without a vector for ``model``, oldest first. On
    PostgreSQL the passages stay locked (``FOR NO KEY UPDATE SKIP LOCKED``) until the
    vectors are saved and committed, so workers that embed at the same time never embed a
    passage twice; a worker that dies gives its batch back."""
    if ws.is_sqlite:
        with ws.read() as conn:
            rows = passages_without_vector(conn, model, limit)
        yield VectorBatch(ws, model, rows, None)
        return
    have = select(passage_vectors.c.passage_id).where(passage_vectors.c.model == model)
    with ws.engine.connect() as conn:
        result = conn.execute(
            select(passages.c.id, passages.c.text)
            .where(passages.c.id.not_in(have))
            .order_by(passages.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, key_share=True, of=passages)
        )
        rows = [(int(r[0]), r[1]) for r in result]
        yield VectorBatch(ws, model, rows, conn)
        conn.commit()


def document_passages(conn: Connection, document_id: int) -> list[tuple[int, int, int, str]]:
    """(id, first page, last page, text) of one document's passages, in order."""
    rows = conn.execute(
        select(passages.c.id, passages.c.page_start, passages.c.page_end, passages.c.text)
        .where(passages.c.document_id == document_id)
        .order_by(passages.c.seq)
    )
    return [(int(r[0]), int(r[1]), int(r[2]), r[3]) for r in rows]


def ids_with_vector(conn: Connection, model: str, ids: Sequence[int], chunk: int = 900) -> set[int]:
    """Which of ``ids`` already have a vector for ``model``."""
    out: set[int] = set()
    ids = [int(i) for i in ids]
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        out.update(
            int(r)
            for r in conn.execute(
                select(passage_vectors.c.passage_id).where(
                    passage_vectors.c.model == model, passage_vectors.c.passage_id.in_(part)
                )
            ).scalars()
        )
    return out
