"""Ingest: documents in, traceable passages out.

``ingest(ws, paths, ...) -> IngestReport`` reads PDF, DOCX, HTML, TXT and Markdown files
(and folders, recursively, and a CSV manifest) into the workspace; see
:mod:`weerbaar.ingest.core`.
"""

from weerbaar.ingest.core import EXTRACTOR_VERSION, IngestReport, InputResult, ingest, read_manifest
from weerbaar.ingest.status import REASONS, Status

__all__ = [
    "EXTRACTOR_VERSION",
    "REASONS",
    "IngestReport",
    "InputResult",
    "Status",
    "ingest",
    "read_manifest",
]
