"""PDFs that bundle several letters, memos or decisions: where a later page starts a new one.

A page starts a part when its first lines hold the header of a letter, memo or decision:
a date label ("Datum", "Datum: 3 maart 2025") and a subject ("Onderwerp: ...", "Betreft
..."), each at the start of a line (a sidebar that the text layer puts on one line,
"Datum 11 september 2020 Betreft ...", counts too). When a page after the first has such
a header the document is a bundle: the first page starts the first part, each header
page the next, each subject line becomes a heading (so the passages of a part are named
by its own subject, not by the headings of the part before) and the parts are recorded
with their first page, subject and date (``document_parts``). The document stays one
document (see docs/inlezen.md); e-mail bundles are handled by :mod:`woo`."""

from __future__ import annotations

import re
from typing import Any

from weerbaar.ingest.passages import Block

TOP_LINES = 15  # a header sits in the first lines of its page
_DATE = re.compile(r"^datum\b\s*:?\s*(.*)$", re.I)
_SUBJECT = re.compile(r"^(?:onderwerp|betreft)\b\s*:?\s*(\S.*)$", re.I)
_SUBJECT_AFTER_DATE = re.compile(r"\s(?:onderwerp|betreft)\b\s*:?\s*(\S.*)$", re.I)
_DIGIT = re.compile(r"\d")


def _header(blocks: list[Block]) -> tuple[int, int, str, str | None] | None:
    """(block index, line index, subject, date) of the header at the top of a page."""
    seen = 0
    date: str | None = None
    dated = False
    subject: tuple[int, int, str] | None = None
    for b, block in enumerate(blocks):
        for k, line in enumerate(block.text.split("\n")):
            text = line.strip()
            if (m := _DATE.match(text)) is not None:
                dated = True
                value = m.group(1)
                if (s := _SUBJECT_AFTER_DATE.search(value)) is not None and subject is None:
                    subject = (b, k, s.group(1))
                    value = value[: s.start()]
                if date is None and _DIGIT.search(value):
                    date = value.strip()[:60]
            elif subject is None and (m := _SUBJECT.match(text)) is not None:
                subject = (b, k, m.group(1))
            seen += 1
            if seen >= TOP_LINES:
                break
        if seen >= TOP_LINES:
            break
    if not dated or subject is None:
        return None
    return subject[0], subject[1], subject[2].strip()[:200], date


def mark_parts(pages: list[list[Block]]) -> dict[str, Any]:
    """Find the parts of a bundle and make each subject line a heading, in place;
    returns notes (empty when no page after the first starts a new part)."""
    found = {p: h for p, blocks in enumerate(pages) if (h := _header(blocks)) is not None}
    if not any(p > 0 for p in found):
        return {}
    parts: list[dict[str, Any]] = []
    if 0 not in found:
        parts.append({"page": 1})
    for p, (b, k, subject, date) in sorted(found.items()):
        block = pages[p][b]
        lines = block.text.split("\n")
        new = []
        if k:
            new.append(_like(block, "\n".join(lines[:k])))
        new.append(Block(lines[k].strip(), "kop", 1, chars_clean=block.chars_clean))
        if k + 1 < len(lines):
            new.append(_like(block, "\n".join(lines[k + 1 :])))
        pages[p][b : b + 1] = new
        part: dict[str, Any] = {"page": p + 1, "subject": subject}
        if date:
            part["date"] = date
        parts.append(part)
    return {"document_parts": parts}


def _like(block: Block, text: str) -> Block:
    return Block(text, block.kind, block.level, block.group, block.chars_clean)
