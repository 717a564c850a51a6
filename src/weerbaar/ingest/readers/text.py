"""Plain text and Markdown: paragraphs at blank lines, form feeds as page breaks;
Markdown ``#`` headings, list items and pipe tables."""

from __future__ import annotations

import re
from pathlib import Path

from weerbaar.errors import IngestError
from weerbaar.ingest.normalize import clean_chars
from weerbaar.ingest.passages import Block
from weerbaar.ingest.readers.decode import decode_bytes, looks_binary
from weerbaar.ingest.readers.result import Progress, ReadResult
from weerbaar.ingest.status import REASONS, Status
from weerbaar.settings import Settings

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s*(?:[-*+•▪◦–]|\d{1,3}[.)]|[a-z][.)])\s+")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def read_raw_limited(path: Path, settings: Settings) -> tuple[bytes, bool]:
    """File bytes, at most about ``max_chars`` * 4 of them (and whether it was cut)."""
    limit = settings.max_chars * 4
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    return data[:limit], len(data) > limit


def text_blocks(text: str, *, markdown: bool) -> list[Block]:
    """Blocks of one page of plain text (already decoded)."""
    blocks: list[Block] = []
    para: list[str] = []
    kind = "tekst"
    table = 0

    def flush() -> None:
        nonlocal para, kind
        if para:
            blocks.append(Block("\n".join(para), kind, chars_clean=True))
        para, kind = [], "tekst"

    for line in clean_chars(text).split("\n"):
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if markdown:
            m = _MD_HEADING.match(stripped)
            if m:
                flush()
                blocks.append(Block(m.group(2), "kop", len(m.group(1)), chars_clean=True))
                continue
            if stripped.startswith("|") and stripped.count("|") >= 2:
                flush()
                if _MD_TABLE_SEP.match(stripped):
                    continue
                if not blocks or blocks[-1].kind != "tabel" or blocks[-1].group != table:
                    table += 1
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                blocks.append(Block(" | ".join(cells), "tabel", group=table, chars_clean=True))
                continue
        if _LIST.match(stripped):
            flush()
            para, kind = [stripped], "lijst"
            continue
        para.append(stripped)
    flush()
    return blocks


def read_text(path: Path, settings: Settings, progress: Progress, *, markdown: bool) -> ReadResult:
    data, cut = read_raw_limited(path, settings)
    if not data.strip():
        raise IngestError(Status.empty, REASONS[Status.empty])
    if data.count(b"\x00") > len(data) // 10 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(
            Status.unsupported_type, f"{REASONS[Status.unsupported_type]} (binaire inhoud)"
        )
    text, encoding, how = decode_bytes(data)
    del data
    if looks_binary(text):
        raise IngestError(
            Status.unsupported_type,
            f"{REASONS[Status.unsupported_type]} (binaire inhoud, geen tekst)",
        )
    result = ReadResult(notes={"encoding": encoding, "encoding_how": how})
    if len(text) > settings.max_chars:
        text = text[: settings.max_chars]
        cut = True
    result.truncated = cut
    for page_text in text.split("\f"):
        result.pages.append(text_blocks(page_text, markdown=markdown))
        result.methods.append("text")
        progress(1)
    if markdown:
        first = next((b.text for p in result.pages for b in p if b.kind == "kop"), None)
        result.title = first
    return result
