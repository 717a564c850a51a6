"""HTML main text with selectolax (lexbor): navigation, scripts, styles, headers and
footers dropped; ``main``/``article`` preferred over the whole body; h1-h6 kept as
headings; list items and table rows as their own blocks. Entities declared in a DOCTYPE
are never expanded (HTML parsing, not XML).

Bounded work on hostile nesting: below ``MAX_DEPTH`` levels an element's text is taken
as one block without looking at its structure, and a table that holds another table is
read as ordinary blocks (not row by row), so the time stays linear in the size of the
file instead of quadratic in its depth. A paragraph longer than what is left of
``max_chars`` is cut (the document is ``truncated``), never dropped."""

from __future__ import annotations

import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from weerbaar.errors import IngestError
from weerbaar.ingest.passages import Block
from weerbaar.ingest.readers.decode import declared_charset, decode_bytes, looks_binary
from weerbaar.ingest.readers.result import Progress, ReadResult
from weerbaar.ingest.readers.text import read_raw_limited
from weerbaar.ingest.status import REASONS, Status
from weerbaar.settings import Settings

DROP = (
    "script,style,noscript,template,nav,footer,header,aside,form,iframe,svg,canvas,"
    "button,select,object,embed,[role=navigation],[role=banner],[role=contentinfo],"
    "[aria-hidden=true],[hidden]"
)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
    "wbr", "label", "del", "ins",
}  # fmt: skip


MAX_DEPTH = 200
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _html_blocks(root, notes: dict | None = None) -> list[Block]:  # type: ignore[no-untyped-def]
    blocks: list[Block] = []
    buf: list[str] = []
    kinds: list[str] = ["tekst"]
    table = 0

    def flush() -> None:
        text = "".join(buf)
        buf.clear()
        if text.strip():
            blocks.append(Block(text, kinds[-1]))

    stack: list[tuple[object, bool, int]] = [(root, False, 0)]
    while stack:
        node, leaving, depth = stack.pop()
        if leaving:
            flush()
            if node == "li":  # marker for leaving a list item
                kinds.pop()
            continue
        tag = node.tag  # type: ignore[attr-defined]
        if tag == "-text":
            buf.append(node.text_content or "")  # type: ignore[attr-defined]
            continue
        if tag in ("-comment", "!doctype") or tag is None:
            continue
        if tag == "br":
            buf.append("\n")
            continue
        if depth > MAX_DEPTH:  # hostile nesting: the rest of this branch as one block
            flush()
            blocks.append(Block(node.text(deep=True, separator=" "), kinds[-1]))  # type: ignore[attr-defined]
            if notes is not None:
                notes["html_nesting_cut_at"] = MAX_DEPTH
            continue
        if tag in HEADINGS:
            flush()
            blocks.append(Block(node.text(deep=True, separator=" "), "kop", HEADINGS[tag]))  # type: ignore[attr-defined]
            continue
        if tag == "table" and len(node.css("table")) == 1:  # type: ignore[attr-defined]
            flush()
            table += 1
            caption = node.css_first("caption")  # type: ignore[attr-defined]
            if caption is not None and caption.text(deep=True, separator=" ").strip():
                text = caption.text(deep=True, separator=" ")
                blocks.append(Block(text, "tabel", 1, group=table))
            for tr in node.css("tr"):  # type: ignore[attr-defined]
                cells = [c.text(deep=True, separator=" ").strip() for c in tr.css("th,td")]
                cells = [c for c in cells if c]
                if cells:
                    # a row of header cells heads the columns
                    head = tr.css_first("td") is None
                    blocks.append(Block(" | ".join(cells), "tabel", 2 if head else 0, group=table))
            continue
        children = list(node.iter(include_text=True))  # type: ignore[attr-defined]
        if tag in INLINE:
            stack.extend((c, False, depth + 1) for c in reversed(children))
            continue
        # block element: its own paragraph(s)
        flush()
        if tag == "li":
            kinds.append("lijst")
            stack.append(("li", True, depth))  # type: ignore[arg-type]
        else:
            stack.append(("block", True, depth))  # type: ignore[arg-type]
        stack.extend((c, False, depth + 1) for c in reversed(children))
    flush()
    return blocks


def read_html(path: Path, settings: Settings, progress: Progress) -> ReadResult:
    data, cut = read_raw_limited(path, settings)
    if not data.strip():
        raise IngestError(Status.empty, REASONS[Status.empty])
    text, encoding, how = decode_bytes(data, declared_charset(data))
    del data
    if looks_binary(text):
        raise IngestError(
            Status.unsupported_type,
            f"{REASONS[Status.unsupported_type]} (binaire inhoud, geen tekst)",
        )
    tree = LexborHTMLParser(text)
    title_node = tree.css_first("title")
    title = title_node.text(deep=True) if title_node else None
    if title:  # no escape or other control characters into the pages that show it
        title = " ".join(_CONTROL.sub(" ", title).split())[:500] or None
    for node in tree.css(DROP):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.css_first("[role=main]")
    root = root or tree.body or tree.root
    if root is None:
        raise IngestError(Status.empty, REASONS[Status.empty])
    notes: dict = {"encoding": encoding, "encoding_how": how}
    blocks = _html_blocks(root, notes)
    total = 0
    kept: list[Block] = []
    for b in blocks:
        room = settings.max_chars - total
        if len(b.text) > room:
            cut = True
            head = b.text[:room]
            if " " in head[len(head) // 2 :]:  # end at a word boundary
                head = head[: head.rfind(" ")]
            if head.strip():  # a huge paragraph is cut, not lost
                kept.append(Block(head, b.kind, b.level, group=b.group))
            break
        total += len(b.text)
        kept.append(b)
    progress(1)
    result = ReadResult(
        pages=[kept],
        methods=["text"],
        title=title or next((b.text for b in kept if b.kind == "kop"), None),
        truncated=cut,
        notes=notes,
    )
    return result
