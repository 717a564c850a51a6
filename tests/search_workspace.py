"""Helper for the search tests: put documents with passages into a real workspace
through the store (the same tables the ingest fills)."""

from __future__ import annotations

from weerbaar.store import Workspace
from weerbaar.store.documents import add_plain_document


def add_document(
    ws: Workspace,
    organisation: str,
    texts: list[str],
    *,
    year: int = 2025,
    doc_type: str = "begroting",
) -> int:
    return add_plain_document(ws, organisation, texts, year=year, doc_type=doc_type)
