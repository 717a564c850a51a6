"""Blocks -> page text -> passages with exact offsets.

Readers yield pages as lists of :class:`Block`. :func:`assemble_page` cleans each block
and joins them into the page text (blank line between blocks, a single newline between
rows of one table), remembering where each block sits. :func:`build_passages` then cuts
the document text (pages joined by ``PAGE_SEPARATOR``) into passages of about
``min_words``-``max_words`` words: short consecutive blocks of one kind within one section
are merged, long blocks are cut into overlapping sentence windows. Every passage is a
``(char_start, char_end)`` range of the document text; its text is that slice.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass

from weerbaar.ingest.normalize import clean_block
from weerbaar.store.constants import PAGE_SEPARATOR

KINDS = ("tekst", "lijst", "tabel")


@dataclass(slots=True)
class Block:
    """One paragraph, heading (kind ``kop``), list item or table row of a page."""

    text: str
    kind: str = "tekst"  # tekst | kop | lijst | tabel
    level: int = 0  # heading level (1 = top)
    group: int = 0  # table number: rows of one table are joined by a single newline
    chars_clean: bool = False  # the reader already applied clean_chars to this text


@dataclass(slots=True)
class Span:
    start: int
    end: int
    kind: str
    level: int  # heading level; for table rows: 1 caption, 2 column headers, 0 a row
    group: int = 0


@dataclass(slots=True)
class PassageData:
    seq: int
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    text: str
    heading: str | None
    kind: str
    text_hash: str
    words: int


def assemble_page(blocks: list[Block]) -> tuple[str, list[Span]]:
    """Clean the blocks and join them into one page text; spans are page offsets."""
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    prev: Block | None = None
    for block in blocks:
        text = clean_block(block.text, chars_clean=block.chars_clean)
        if not text:
            continue
        if prev is not None:
            same_table = (
                block.kind == "tabel" and prev.kind == "tabel" and block.group == prev.group
            )
            sep = "\n" if same_table else "\n\n"
            parts.append(sep)
            pos += len(sep)
        parts.append(text)
        spans.append(Span(pos, pos + len(text), block.kind, block.level, block.group))
        pos += len(text)
        prev = block
    return "".join(parts), spans


_HAS_WORD = re.compile(r"[^\W\d_]{3,}")


def _count_words(text: str, s: int, e: int) -> int:
    """Words of one block's span: a block is one line with single spaces (clean_block)."""
    return text.count(" ", s, e) + 1 if e > s else 0


_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+(?=\s+[^a-zà-ÿ\s])|$)", re.S)
# the same sentences without a lazy match tried at every character (for text without
# line breaks, as blocks are: only there does "$" before a final newline differ)
_SENTENCE_FAST = re.compile(
    r"\S[^.!?…]*(?:[.!?…]+(?!\s+[^a-zà-ÿ\s])[^.!?…]*)*(?:[.!?…]+(?=\s+[^a-zà-ÿ\s])|$)"
)
_WORD = re.compile(r"\S+")


def _pieces(text: str, base: int, max_words: int, max_chars: int) -> list[tuple[int, int, int]]:
    """(start, end, words) of sentences; over-long sentences as words; over-long words as
    character chunks. Offsets relative to the document."""
    out: list[tuple[int, int, int]] = []
    for m in (_SENTENCE if "\n" in text else _SENTENCE_FAST).finditer(text):
        s, e = m.start(), m.end()
        sentence = text[s:e].rstrip()
        e = s + len(sentence)
        n = len(sentence.split())
        if n <= max_words and e - s <= max_chars:
            out.append((base + s, base + e, n))
            continue
        for w in _WORD.finditer(sentence):
            ws, we = s + w.start(), s + w.end()
            if we - ws <= max_chars:
                out.append((base + ws, base + we, 1))
            else:
                for cs in range(ws, we, max_chars):
                    out.append((base + cs, base + min(we, cs + max_chars), 1))
    return out


def _windows(
    pieces: list[tuple[int, int, int]], max_words: int, max_chars: int, overlap_words: int
) -> list[tuple[int, int]]:
    """Consecutive pieces packed into windows of at most ``max_words`` words, each window
    starting with the last pieces (up to ``overlap_words``) of the one before."""
    out: list[tuple[int, int]] = []
    i = 0
    n = len(pieces)
    while i < n:
        j = i
        words = 0
        while j < n and (
            j == i
            or (words + pieces[j][2] <= max_words and pieces[j][1] - pieces[i][0] <= max_chars)
        ):
            words += pieces[j][2]
            j += 1
        out.append((pieces[i][0], pieces[j - 1][1]))
        if j >= n:
            break
        # overlap: step back over whole pieces, but always make progress
        k = j
        back = 0
        while k - 1 > i and back + pieces[k - 1][2] <= overlap_words:
            k -= 1
            back += pieces[k][2]
        i = k
    return out


# Readers that guess headings from the layout (PDF) give them this level.
GUESSED_LEVEL = 9


def _is_cover(
    doc_text: str, base: int, spans: list[Span], min_words: int, first: bool = False
) -> bool:
    """A sparse page of a few short lines: guessed headings (on the first page: any
    headings) with little text below them (a title page)."""
    guessed = [sp for sp in spans if sp.kind == "kop" and (first or sp.level >= GUESSED_LEVEL)]
    if not guessed or len(guessed) == len(spans):
        return False
    words = sum(len(doc_text[base + sp.start : base + sp.end].split()) for sp in spans)
    return words < min_words


# (start, end, kind, heading path, page_no, words); a table's rows carry its caption in
# their heading path, so every passage of a long table names it
_Unit = tuple[int, int, str, str | None, int, int]
_Range = tuple[int, int, str, str | None]  # (start, end, kind, heading path)


class _Words:
    """Words of ranges of the document text (``len(text.split())``), counted once each;
    two ranges with whitespace between them have the sum of their words together."""

    __slots__ = ("counted", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.counted: dict[tuple[int, int], int] = {}

    def __call__(self, s: int, e: int) -> int:
        n = self.counted.get((s, e))
        if n is None:
            n = self.counted[(s, e)] = len(self.text[s:e].split())
        return n

    def union(self, a: _Range, b: _Range) -> int:
        """Words from the first start of ``a`` and ``b`` to their last end."""
        x, y = (a, b) if a[0] <= b[0] else (b, a)
        s, e = x[0], max(x[1], y[1])
        if (s, e) not in self.counted and x[1] < y[0] and self.text[x[1] : y[0]].isspace():
            self.counted[(s, e)] = self(x[0], x[1]) + self(y[0], y[1])
        return self(s, e)


def _merge_short(
    words: _Words,
    ranges: list[_Range],
    min_words: int,
    max_words: int,
    max_chars: int,
    tiny: int,
) -> list[_Range]:
    """Join a passage of fewer than ``min_words`` words with its neighbour in the same
    section (the one before, else the one after) while the result stays within
    ``max_words``: of the same kind, or any kind when one of them has fewer than ``tiny``
    words (the last rows of a table, a closing sentence after a long paragraph)."""

    def fits(a: _Range, b: _Range) -> bool:
        s, e = min(a[0], b[0]), max(a[1], b[1])
        if a[3] != b[3] or e - s > max_chars or words.union(a, b) > max_words:
            return False
        if (a[2] == "tabel") != (b[2] == "tabel"):
            return False  # table rows never join running text
        return a[2] == b[2] or min(words(a[0], a[1]), words(b[0], b[1])) < tiny

    def join(a: _Range, b: _Range) -> _Range:
        kind = a[2] if words(a[0], a[1]) >= words(b[0], b[1]) else b[2]
        return (min(a[0], b[0]), max(a[1], b[1]), kind, a[3])

    out: list[_Range] = []
    for r in ranges:  # backwards: onto the passage before
        if (
            out
            and out[-1][3] == r[3]
            and (words(r[0], r[1]) < min_words or words(out[-1][0], out[-1][1]) < min_words)
            and fits(out[-1], r)
        ):
            out[-1] = join(out[-1], r)
        else:
            out.append(r)
    merged: list[_Range] = []
    i = 0
    while i < len(out):  # forwards: a short first passage of a section onto the next
        r = out[i]
        if (
            i + 1 < len(out)
            and out[i + 1][3] == r[3]
            and words(r[0], r[1]) < min_words
            and fits(r, out[i + 1])
        ):
            out[i + 1] = join(r, out[i + 1])
        else:
            merged.append(r)
        i += 1
    return merged


def build_passages(
    pages: list[tuple[str, list[Span]]], *, min_words: int = 40, max_words: int = 200
) -> tuple[str, list[PassageData]]:
    """The document text and its passages. ``pages`` are (page text, spans) in order."""
    texts = [t for t, _ in pages]
    doc_text = PAGE_SEPARATOR.join(texts)
    starts: list[int] = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + len(PAGE_SEPARATOR)
    max_chars = max_words * 30
    tiny = max(3, min_words // 4)  # fewer words than this: a fragment, not a passage
    units, table_keys = _units(doc_text, pages, starts, min_words)
    ranges = _group_units(
        doc_text, units, table_keys, min_words=min_words, max_words=max_words, tiny=tiny
    )
    words = _Words(doc_text)
    ranges = _merge_short(words, ranges, min_words, max_words, max_chars, tiny)
    return doc_text, _passages(words, ranges, starts)


def _units(
    doc_text: str, pages: list[tuple[str, list[Span]]], starts: list[int], min_words: int
) -> tuple[list[_Unit], list[tuple[int, int] | None]]:
    """The blocks of the document in order with their heading path, and for each the
    table it belongs to as (page, group), or ``None``. Headings become paths, not units,
    except the lines of a cover page (its text, not a series of sections)."""
    units: list[_Unit] = []
    table_keys: list[tuple[int, int] | None] = []
    headings: list[tuple[int, str]] = []
    section: str | None = None  # the heading path of ``headings``
    for page_no, ((_, spans), base) in enumerate(zip(pages, starts, strict=True), start=1):
        first = page_no == 1 and len(pages) > 1  # the title page of a longer document
        cover = _is_cover(doc_text, base, spans, min_words, first=first)
        caption: dict[int, str] = {}
        for sp in spans:
            s, e = base + sp.start, base + sp.end
            if sp.kind == "kop" and cover and (first or sp.level >= GUESSED_LEVEL):
                units.append((s, e, "tekst", section, page_no, _count_words(doc_text, s, e)))
                table_keys.append(None)
                continue
            if sp.kind == "kop":
                level = max(1, sp.level)
                headings = [h for h in headings if h[0] < level]
                headings.append((level, doc_text[s:e][:200]))
                section = " > ".join(h for _, h in headings) or None
                continue
            path = section
            kind = sp.kind if sp.kind in KINDS else "tekst"
            key = None
            if kind == "tabel":
                key = (page_no, sp.group)
                if sp.level == 1 and sp.group not in caption:
                    caption[sp.group] = doc_text[s:e][:200]
                elif sp.group in caption:
                    path = f"{path} > {caption[sp.group]}" if path else caption[sp.group]
            units.append((s, e, kind, path, page_no, _count_words(doc_text, s, e)))
            table_keys.append(key)
    return units, table_keys


def _group_kind(group: list[_Unit]) -> str:
    """The kind of most of the words ("tekst" when a short list joins a paragraph)."""
    by_kind: dict[str, int] = {}
    for u in group:
        by_kind[u[2]] = by_kind.get(u[2], 0) + u[5]
    return max(by_kind, key=lambda k: (by_kind[k], k == group[0][2]))


def _group_units(
    doc_text: str,
    units: list[_Unit],
    table_keys: list[tuple[int, int] | None],
    *,
    min_words: int,
    max_words: int,
    tiny: int,
) -> list[_Range]:
    """Passage ranges from the units: a unit over ``max_words`` is cut into overlapping
    windows, short units of one section (or of one table) are joined."""
    max_chars = max_words * 30
    overlap = max(1, max_words // 5)
    ranges: list[_Range] = []
    group: list[_Unit] = []

    def flush() -> None:
        if group:
            ranges.append((group[0][0], group[-1][1], _group_kind(group), group[0][3]))
            group.clear()

    group_key: tuple[int, int] | None = None
    for unit, key in zip(units, table_keys, strict=True):
        s, e, kind, path, _page, words = unit
        if words > max_words or e - s > max_chars:
            flush()
            pieces = _pieces(doc_text[s:e], s, max_words, max_chars)
            for ws, we in _windows(pieces, max_words, max_chars, overlap):
                ranges.append((ws, we, kind, path))
            continue
        if group:
            g_words = sum(u[5] for u in group)
            if key is not None or group_key is not None:
                # a table stays apart from running text; its rows join up to max_words
                joins = key == group_key and g_words + words <= max_words
            else:
                # a new section always starts a new passage; within a section short
                # blocks of one kind are joined, and tiny ones (a label) with any kind
                joins = (
                    group[0][3] == path
                    and g_words + words <= max_words
                    and (
                        (g_words < min_words and (group[-1][2] == kind or g_words < tiny))
                        or words < tiny  # a closing line ends the passage before it
                    )
                )
            if not joins:
                flush()
        group.append(unit)
        group_key = key
    flush()
    return ranges


def _passages(words: _Words, ranges: list[_Range], starts: list[int]) -> list[PassageData]:
    """The passages of the ranges, in order, without repeats, empty ranges and ranges
    of bare figures (a table without labels: in the page text, no passage)."""
    doc_text = words.text
    passages: list[PassageData] = []
    seen: set[tuple[int, int]] = set()
    for s, e, kind, path in ranges:
        if (s, e) in seen or e <= s:
            continue
        seen.add((s, e))
        text = doc_text[s:e]
        if not _HAS_WORD.search(text):
            continue
        passages.append(
            PassageData(  # (seq, pages, offsets, text, heading, kind, hash, words)
                len(passages),
                # pages (1-based): the last page whose start is at or before the offset
                bisect.bisect_right(starts, s),
                bisect.bisect_right(starts, e - 1),
                s,
                e,
                text,
                path,
                kind,
                hashlib.sha256(text.encode("utf-8")).hexdigest(),
                words(s, e),
            )
        )
    return passages
