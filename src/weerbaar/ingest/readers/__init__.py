"""Readers: one per file type, each turning a file into pages of blocks.

Readers run inside the parse worker (a child process with limits); they raise
:class:`weerbaar.errors.IngestError` with a status and a Dutch reason when a file cannot be
read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from weerbaar.ingest.readers.result import Progress, ReadResult
from weerbaar.settings import Settings

__all__ = ["DOCX", "Progress", "ReadResult", "read_file", "read_file_staged"]


def read_file(path: Path, media_type: str, settings: Settings, progress: Progress) -> ReadResult:
    """Dispatch to the reader of ``media_type`` (see :func:`weerbaar.ingest.sniff.sniff`)."""
    if media_type == "application/pdf":
        from weerbaar.ingest.readers.pdf import read_pdf

        return read_pdf(path, settings, progress)
    if media_type == DOCX:
        from weerbaar.ingest.readers.docx import read_docx

        return read_docx(path, settings, progress)
    if media_type == "text/html":
        from weerbaar.ingest.readers.html import read_html

        return read_html(path, settings, progress)
    from weerbaar.ingest.readers.text import read_text

    return read_text(path, settings, progress, markdown=media_type == "text/markdown")


def read_file_staged(
    path: Path, media_type: str, settings: Settings, progress: Progress
) -> Callable[[], ReadResult]:
    """:func:`read_file` in two steps: the work with native libraries now, the rest (plain
    Python) in the returned function (see :func:`weerbaar.ingest.readers.pdf.read_pdf_staged`;
    other types are read whole now)."""
    if media_type == "application/pdf":
        from weerbaar.ingest.readers.pdf import read_pdf_staged

        return read_pdf_staged(path, settings, progress)
    result = read_file(path, media_type, settings, progress)
    return lambda: result


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
