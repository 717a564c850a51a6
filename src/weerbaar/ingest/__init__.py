"""Ingest: documents in, traceable passages out.

``ingest(ws, paths, ...) -> IngestReport`` reads PDF, DOCX, HTML, TXT and Markdown files
(and folders, recursively, and a CSV manifest) into the workspace; see
:mod:`weerbaar.ingest.core`.

The pipeline (:mod:`weerbaar.ingest.core`, with the database) loads on first use of these
names, so that the parse worker, which imports only the readers, starts without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from weerbaar.ingest.status import REASONS, Status

if TYPE_CHECKING:
    from weerbaar.ingest.core import (
        EXTRACTOR_VERSION,
        IngestReport,
        InputResult,
        ingest,
        read_manifest,
    )

__all__ = [
    "EXTRACTOR_VERSION",
    "REASONS",
    "IngestReport",
    "InputResult",
    "Status",
    "ingest",
    "read_manifest",
]
_CORE = {"EXTRACTOR_VERSION", "IngestReport", "InputResult", "ingest", "read_manifest"}


def __getattr__(name: str) -> Any:
    if name in _CORE:
        from weerbaar.ingest import core

        return getattr(core, name)
    raise AttributeError(f"module 'weerbaar.ingest' has no attribute {name!r}")
