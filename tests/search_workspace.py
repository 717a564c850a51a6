"""Helper for the search tests: put documents with passages into a real workspace
through the store (the same tables the ingest fills)."""

from __future__ import annotations

import hashlib

from weerbaar.store import Workspace
from weerbaar.store import documents as dstore


def add_document(
    ws: Workspace,
    organisation: str,
    texts: list[str],
    *,
    year: int = 2025,
    doc_type: str = "begroting",
) -> int:
    body = "\n\n".join(texts)
    with ws.write() as conn:
        did = dstore.upsert_document(
            conn,
            None,
            sha256=hashlib.sha256(f"{organisation}{year}{body}".encode()).hexdigest(),
            organisation_code=organisation,
            doc_type=doc_type,
            year=year,
            title=f"{doc_type} {organisation} {year}",
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
        dstore.replace_content(conn, did, [{"page_no": 1, "doc_start": 0, "text": body}], rows)
    return did
