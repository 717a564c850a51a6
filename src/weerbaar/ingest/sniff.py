"""File type from magic bytes and extension (the extension alone is never trusted)."""

from __future__ import annotations

from pathlib import Path

from weerbaar.errors import IngestError
from weerbaar.ingest.readers import DOCX
from weerbaar.ingest.status import REASONS, Status

TEXT_EXTENSIONS = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
SUPPORTED = {".pdf", ".docx", *HTML_EXTENSIONS, *TEXT_EXTENSIONS}

# Formats we recognise but do not read, by magic bytes.
_OTHER_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "oud Office-formaat (doc/xls)"),
    (b"\x89PNG", "afbeelding (PNG)"),
    (b"\xff\xd8\xff", "afbeelding (JPEG)"),
    (b"GIF8", "afbeelding (GIF)"),
    (b"\x7fELF", "programma"),
    (b"MZ", "programma"),
    (b"\x1f\x8b", "gzip-archief"),
    (b"Rar!", "RAR-archief"),
    (b"7z\xbc\xaf", "7z-archief"),
)


def _unsupported(detail: str) -> IngestError:
    return IngestError(Status.unsupported_type, f"{REASONS[Status.unsupported_type]} ({detail})")


def sniff(path: Path, head: bytes) -> str:
    """The media type to read ``path`` as, from its first bytes and its extension."""
    ext = path.suffix.lower()
    if head.startswith(b"%PDF-") or (b"%PDF-" in head[:1024] and ext == ".pdf"):
        return "application/pdf"
    if ext == ".pdf":
        raise _unsupported("geen PDF-inhoud ondanks de extensie .pdf")
    if ext == ".docx":
        if head.startswith(b"PK\x03\x04"):
            return DOCX
        raise IngestError(
            Status.corrupt,
            f"{REASONS[Status.corrupt]} (een .docx-bestand is een zip-archief; dit niet)",
        )
    if ext not in SUPPORTED:
        for magic, name in _OTHER_MAGIC:
            if head.startswith(magic):
                raise _unsupported(name)
        raise _unsupported(f"extensie {ext or '(geen)'}")
    for magic, name in _OTHER_MAGIC:
        if head.startswith(magic):
            raise _unsupported(f"{name} met extensie {ext}")
    if head.startswith(b"PK\x03\x04"):
        raise _unsupported(f"zip-archief met extensie {ext}")
    if ext in HTML_EXTENSIONS:
        return "text/html"
    return TEXT_EXTENSIONS[ext]
