"""Lines of a page -> blocks: paragraphs, headings, list items and tables.

Used for PDF text layers (lines with font size, weight and position from pdfium) and for
OCR text (lines without font information). The rules, in order:

1. **Tables first.** A line that ends in two or more figures ("Riolering 1.548 1.517",
   "Lasten -40.543 -42.447") or holds nothing but figures is a table row. Rows close
   together form a table, with the lines just above them that name it (a caption,
   "Tabel 2.2 ...") or head its columns (years, "Rekening", "Begroting"), and the short
   label lines that wrap onto a row. A table becomes blocks of kind ``tabel`` (one per
   row, the caption with level 1, column headers with level 2), so a table row is never
   a heading and never part of a running-text paragraph.
2. **Headings from the real structure.** With font information, a heading is a short
   line set larger than the body text or bold (a bold line that is part of a longer
   bold paragraph is not); numbering ("1.2 ...") deepens the level. Without it (OCR), the
   layout heuristics of short, capitalised, unpunctuated lines apply.
3. **Paragraphs** end at a clear vertical gap, a line that ends a sentence well before
   the right margin, or a new list item.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from weerbaar.ingest.passages import GUESSED_LEVEL, Block

_BULLET = re.compile(r"^(?:[•▪◦●○■□➢►\-–*]|\d{1,3}[.)]|[a-z][.)])\s+\S")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+\S")
_END = (".", "!", "?", ":", ";")
# one cell of figures: 1.548  -2.220  7,4  (2024)  12%  € 45.000  -  n.v.t.
_FIGURE = re.compile(
    r"^(?:[-+−–]?\(?[-+−–]?(?:€|EUR)?\s?\d[\d.,]*\)?%?|[-–—]|%|€|n\.?v\.?t\.?|x)$", re.I
)
_YEAR = re.compile(r"^\(?(?:19|20)\d{2}(?:[-/]\d{2,4})?\)?$")
_CAPTION = re.compile(
    r"^(?:tabel|tab\.|figuur|grafiek|overzicht|staat|bijlage\s+\d+\s*[:.-]\s*overzicht)\b", re.I
)
_COLUMN_WORDS = frozenset(
    [
        "rekening",
        "begroting",
        "begr.",
        "realisatie",
        "raming",
        "primitief",
        "primitieve",
        "gewijzigde",
        "actuele",
        "saldo",
        "lasten",
        "baten",
        "totaal",
        "bedrag",
        "bedragen",
        "omschrijving",
        "programma",
        "taakveld",
        "peilwaarde",
        "streefwaarde",
        "jaar",
        "jaarschijf",
        "verschil",
        "prognose",
        "werkelijk",
        "budget",
        "mutatie",
        "stand",
        "toevoeging",
        "onttrekking",
        "incidenteel",
        "structureel",
        "bron",
        "eenheid",
        "indicator",
        "x",
    ]
)


_YEAR_HINT = re.compile(r"(?:19|20)\d\d")


@dataclass(slots=True)
class Line:
    """One text line of a page; ``size`` 0 when there is no font information."""

    text: str
    size: float = 0.0
    bold: bool = False
    x: float = 0.0
    y: float = 0.0  # baseline, PDF points from the bottom


_FIGURE_END = frozenset("0123456789%)-–—€")


# the last character of any figure cell (a quick test before the regex)
_FIGURE_LAST = frozenset(".,)%-–—€tTxX")


def _trailing_figures(words: list[str]) -> int:
    """Number of figure cells at the end of ``words``, 0 when none of them has a digit."""
    n = 0
    digit = False
    for w in reversed(words):
        last = w[-1]
        if not (last.isdecimal() or last in _FIGURE_LAST) or not _FIGURE.match(w):
            break
        n += 1
        if not digit and _DIGIT.search(w):
            digit = True
    return n if digit else 0


def figures_at_end(text: str) -> tuple[int, int]:
    """(number of trailing figure cells, number of words): "Baten 12.036 13.968" -> (2, 3)."""
    if not text or text[-1] not in _FIGURE_END:
        return 0, 0  # (the word count is only needed when there are figures)
    words = text.split()
    return _trailing_figures(words), len(words)


_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_NONSPACE = re.compile(r"\S")


_ASCII_DIGITS = b"0123456789"
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_SPACES = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "  # what \s matches in ASCII


def numeric_line(text: str) -> bool:
    """Mostly figures, amounts and signs ("€ 7.119 3%", "(x €1.000)", "2025 2026")."""
    if text.isascii():  # the same counts as the regexes below, by bytes.translate
        b = text.encode("ascii")
        n = len(b)
        if n == len(b.translate(None, _ASCII_DIGITS)):
            return False
        letters = n - len(b.translate(None, _ASCII_LETTERS))
        return letters <= 0.3 * len(b.translate(None, _ASCII_SPACES))
    digits = len(_DIGIT.findall(text))
    if not digits:
        return False
    return len(_LETTER.findall(text)) <= 0.3 * len(_NONSPACE.findall(text))


def is_row(text: str) -> bool:
    """A table row: ends in two or more figure cells (at least one with a digit), or is
    nothing but figures. Cells that are all years head columns instead."""
    if not text or text[-1] not in _FIGURE_END:
        return False
    split = text.split()
    n = _trailing_figures(split)
    if n == 0:
        return False
    words = len(split)
    if all(_YEAR.match(c) or not _DIGIT.search(c) for c in split[words - n :]):
        return False
    if n == words:
        return True
    if n >= 2:
        label = " ".join(split[: words - n])
        # "in 2024 en 2025." is the end of a sentence, not a row
        return not label.endswith((",", " en", " of", " tot", " van", " in"))
    return False


def is_header(text: str) -> bool:
    """Column headers: two or more years, or words that head budget columns."""
    if len(text) > 200 or text.count(" ") > 15:
        return False
    words = text.split()
    if not _YEAR_HINT.search(text) and _COLUMN_WORDS.isdisjoint(text.lower().split()):
        return False
    if not words or len(words) > 16:
        return False
    years = sum(bool(_YEAR.match(w)) for w in words)
    if years >= 2:
        return True
    col = sum(w.lower().strip("():,") in _COLUMN_WORDS for w in words)
    return col >= 2 and col >= len(words) / 2


_CAPTION_START = frozenset("tTfFgGoOsSbB\u017f")  # what the caption words start with (re.I)


def is_caption(text: str) -> bool:
    return text[:1] in _CAPTION_START and bool(_CAPTION.match(text)) and len(text) <= 160


@dataclass(slots=True)
class DocStyle:
    """Body font size of a document and the sizes used for headings (largest first)."""

    body: float
    heading_sizes: tuple[float, ...]

    def level(self, line: Line) -> int:
        size = round(line.size * 2) / 2
        for i, s in enumerate(self.heading_sizes):
            if size >= s:
                return i + 1
        return len(self.heading_sizes) + 1


def doc_style(pages: list[list[Line]]) -> DocStyle | None:
    """The body size (the size of most characters) and heading sizes, or None when the
    lines carry no font information or all text has one size and weight."""
    raw: dict[float, int] = {}
    bold = 0
    for lines in pages:
        for ln in lines:
            if ln.size > 0:
                raw[ln.size] = raw.get(ln.size, 0) + len(ln.text)
                bold += ln.bold
    sizes: Counter[float] = Counter()
    for size, n in raw.items():
        sizes[round(size * 2) / 2] += n
    if not sizes:
        return None
    body = sizes.most_common(1)[0][0]
    big = sorted((s for s in sizes if s >= body * 1.1 and s <= body * 4), reverse=True)
    if not big and not bold:
        return None
    return DocStyle(body, tuple(big[:4]))


def _heading_style(line: Line, style: DocStyle) -> bool:
    return line.size > 0 and (line.bold or round(line.size * 2) / 2 >= style.body * 1.1)


def _heading_text_ok(text: str) -> bool:
    words = text.split()
    return (
        1 <= len(words) <= 18
        and len(text) <= 140
        and not text.endswith((".", ",", ";", ":"))
        and (text[0].isupper() or text[0].isdigit() or text[0] in "‘'\"(")
        and not numeric_line(text)
        and not is_row(text)
        and (not _BULLET.match(text) or bool(_NUMBERED.match(text)))
    )


def _tables(lines: list[Line], style: DocStyle | None) -> tuple[list[int], list[str]]:
    """Table number per line (0: not in a table) and its kind (row, cap, head or "")."""
    n = len(lines)
    kind = [""] * n  # row | head | cap | ""
    prev = ""
    prev_text = False  # the line before is running text (not a row, header or caption)
    for i, ln in enumerate(lines):
        t = ln.text
        if not t:
            prev = ""
            continue
        if is_row(t) and not (
            prev_text and len(prev) >= 60 and not prev.endswith(_END) and not is_header(prev)
        ):
            # (figures that continue a full line of text stay in its sentence)
            kind[i] = "row"
        elif is_caption(t):
            kind[i] = "cap"
        prev = t
        prev_text = not kind[i]
    # column headers matter only next to rows: tested there, not on every line
    checked = [False] * n

    def head(j: int) -> str:
        if not checked[j]:
            checked[j] = True
            if not kind[j] and lines[j].text and is_header(lines[j].text):
                kind[j] = "head"
        return kind[j]

    table = [0] * n
    current = 0
    last_row = -10
    for i in range(n):
        if kind[i] != "row":
            continue
        if i - last_row > 3 or current == 0:
            current += 1
            # look back for labels, column headers and the caption of this table
            j = i - 1
            steps = 0
            while j >= 0 and steps < 14 and table[j] == 0:
                t = lines[j].text
                if not t:
                    j -= 1
                    continue
                if head(j) in ("cap", "head"):
                    table[j] = current
                    if kind[j] == "cap":
                        break
                elif _label_like(t) and not (style is not None and _heading_style(lines[j], style)):
                    table[j] = current
                else:
                    break
                j -= 1
                steps += 1
        else:
            # short label lines between two rows belong to the table
            for k in range(last_row + 1, i):
                if lines[k].text and (_label_like(lines[k].text) or head(k) == "head"):
                    table[k] = current
        table[i] = current
        last_row = i
    # a lone row with a long label and nothing around it is a sentence with an amount
    # ("(nadeel hogere lasten vanaf 2026 € 16.920)"), not a table
    if current == 0:
        return table, kind  # no rows on this page
    size = Counter(t for t in table if t)
    for i, t in enumerate(table):
        if t and size[t] == 1:
            n, words = figures_at_end(lines[i].text)
            if words - n >= 5:
                table[i] = 0
                kind[i] = ""
    return table, kind


def _label_like(text: str) -> bool:
    """A cell or a wrapped label: short, no sentence end."""
    words = text.split()
    return len(words) <= 7 and len(text) <= 60 and not text.endswith((".", ";", "!", "?"))


def outline_key(text: str) -> str:
    """A heading or bookmark title compared loosely: lower case, letters and digits only."""
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


class _Paragraphs:
    """The blocks of a page as they are written: the paragraph or list item being
    gathered (``cur``) goes into ``blocks`` when it ends."""

    def __init__(self, full: int) -> None:
        self.full = full  # the longest line on the page: a full line
        self.blocks: list[Block] = []
        self.cur: list[str] = []
        self.kind = "tekst"

    def flush(self) -> None:
        if self.cur:
            self.blocks.append(Block("\n".join(self.cur), self.kind, 0, 0, True))
        self.cur, self.kind = [], "tekst"

    def ends_paragraph(self, text: str) -> bool:
        return text.endswith(_END) and len(text) < 0.8 * self.full

    def heading(self, text: str, level: int) -> None:
        self.flush()
        self.blocks.append(Block(text, "kop", level, chars_clean=True))

    def add_line(self, text: str, numbered: bool, style: DocStyle | None) -> None:
        """A line of running text: a new list item, the start of a paragraph or more."""
        if _BULLET.match(text) and (not numbered or style is None):
            self.flush()
            self.cur, self.kind = [text], "lijst"
        else:
            if self.cur and self.ends_paragraph(self.cur[-1]):
                self.flush()
            self.cur.append(text)


def _line_spacing(lines: list[Line]) -> float:
    """Typical distance between lines of a paragraph on this page (0 if unknown)."""
    gaps = [
        d
        for a, b in itertools.pairwise(lines)
        if a.text
        and b.text
        and a.size > 0
        and 0 < (d := a.y - b.y) < 4 * (a.size if a.size > 1 else 1)
    ]
    return sorted(gaps)[len(gaps) // 2] if gaps else 0.0


def _gap_break(prev: Line | None, ln: Line, spacing: float) -> bool:
    """A clear vertical gap (or a jump upwards, a new column) before ``ln``."""
    return (
        prev is not None
        and spacing > 0
        and ln.size > 0
        and (prev.y - ln.y > 1.45 * spacing or ln.y > prev.y + 2)
    )


def _outline_heading(
    lines: list[Line], i: int, outline: list[tuple[str, int]]
) -> tuple[str, tuple[str, int], int] | None:
    """(heading text, the bookmark it spells, index after it) when line ``i`` and maybe a
    few lines after it spell a bookmark title."""
    text = lines[i].text
    key = outline_key(text)
    hit = next((o for o in outline if key and o[0].startswith(key)), None)
    if hit is None:
        return None
    parts, j = [text], i + 1
    while outline_key(" ".join(parts)) != hit[0] and j < len(lines) and lines[j].text:
        more = outline_key(" ".join([*parts, lines[j].text]))
        if not hit[0].startswith(more):
            break
        parts.append(lines[j].text)
        j += 1
    if outline_key(" ".join(parts)) != hit[0]:
        return None
    return " ".join(parts), hit, j


def _styled_heading(
    lines: list[Line],
    i: int,
    style: DocStyle,
    table_of: list[int],
    spacing: float,
    out: _Paragraphs,
    numbered: re.Match[str] | None,
) -> tuple[str, int, int] | None:
    """(heading text, level, index after it) when line ``i`` starts a heading set in a
    heading style (with font information); a heading may take up to three lines."""
    ln = lines[i]
    n = len(lines)
    if not (
        _heading_style(ln, style)
        and (not out.cur or out.cur[-1].endswith(_END))
        and _heading_text_ok(ln.text)
    ):
        return None
    # a heading over several lines: following lines of the same style
    parts = [ln.text]
    j = i + 1
    while (
        j < n
        and len(parts) < 3
        and lines[j].text
        and not table_of[j]
        and _heading_text_ok(lines[j].text)
        and lines[j].bold == ln.bold
        and abs(lines[j].size - ln.size) < 0.3
        and (spacing == 0 or 0 < lines[j - 1].y - lines[j].y <= 1.45 * spacing)
    ):
        parts.append(lines[j].text)
        j += 1
    nxt = lines[j] if j < n else None
    if len(parts) == 3 and nxt is not None and _heading_style(nxt, style):
        return None  # a bold paragraph, not a heading
    level = (
        style.level(ln)
        if not ln.bold or ln.size > style.body * 1.05
        else (len(style.heading_sizes) + 1)
    )
    if numbered:
        level += numbered.group(1).count(".")
    return " ".join(parts), level, j


def _guessed_heading(
    lines: list[Line], i: int, out: _Paragraphs, numbered: re.Match[str] | None
) -> int | None:
    """The level when line ``i`` looks like a heading without font information (OCR):
    short, capitalised, unpunctuated, after a finished paragraph, before more text."""
    text = lines[i].text
    if (
        len(text) > 90
        or text.endswith((*_END, ","))
        or not (text[0].isupper() or text[0].isdigit())
    ):
        return None  # (the cheap tests of is_heading below first: most lines end here)
    full = out.full
    cur = out.cur
    words = text.split()
    prev_done = not cur or out.ends_paragraph(cur[-1]) or len(cur[-1]) < 0.5 * full
    nxt_text = ""
    for j in range(i + 1, len(lines)):  # (no copy of the rest of the page per line)
        if lines[j].text:
            nxt_text = lines[j].text
            break
    numbered_title = (
        numbered is not None and len(words) >= 2 and words[1][:1].isupper() and len(words[0]) <= 6
    )
    prev_done = prev_done or (numbered_title and cur[-1].endswith(_END))
    is_heading = (
        prev_done
        and 1 <= len(words) <= 12
        and len(text) <= 90
        and not text.endswith((*_END, ","))
        and (text[0].isupper() or text[0].isdigit())
        and not numeric_line(text)
        and not (nxt_text and numeric_line(nxt_text))
        and (nxt_text != "" or numbered_title)
        and (len(text) < 0.6 * full or full < 40)
        and (numbered is not None or not _BULLET.match(text))
    )
    if not is_heading:
        return None
    return numbered.group(1).count(".") + 1 if numbered else GUESSED_LEVEL


def blocks_from_lines(
    lines: list[Line],
    style: DocStyle | None,
    outline: list[tuple[str, int]] | None = None,
) -> list[Block]:
    """Blocks of one page from its cleaned lines (empty strings are blank lines).
    ``outline``: the PDF's bookmarks on this page as (outline_key(title), level); a line
    (or a few lines) that spells a bookmark is a heading of the bookmark's level."""
    if not any(ln.text for ln in lines):
        return []
    table_of, kinds = _tables(lines, style)
    spacing = _line_spacing(lines)
    heading_min = style.body * 1.1 if style is not None else 0.0
    out = _Paragraphs(max(len(ln.text) for ln in lines))
    i = 0
    n = len(lines)
    prev: Line | None = None
    while i < n:
        ln = lines[i]
        text = ln.text
        if not text:
            out.flush()
            prev = None
            i += 1
            continue
        if table_of[i]:
            out.flush()
            i = _emit_table(lines, table_of, kinds, i, table_of[i], out.blocks)
            prev = None
            continue
        if _gap_break(prev, ln, spacing):
            out.flush()
        if outline and (found := _outline_heading(lines, i, outline)) is not None:
            heading, hit, j = found
            out.heading(heading, hit[1])
            outline = [o for o in outline if o is not hit]
            prev = lines[j - 1]
            i = j
            continue
        m = _NUMBERED.match(text) if text[0].isdigit() else None
        if style is not None and ln.size > 0:
            # (a gap break has flushed the paragraph before; body text, the most of it,
            # is told apart here: the test of _heading_style without the call)
            styled = (
                _styled_heading(lines, i, style, table_of, spacing, out, m)
                if ln.bold or round(ln.size * 2) / 2 >= heading_min
                else None
            )
            if styled is not None:
                heading, level, j = styled
                out.heading(heading, level)
                prev = lines[j - 1]
                i = j
                continue
        elif (guessed := _guessed_heading(lines, i, out, m)) is not None:
            out.heading(text, guessed)
            prev = ln
            i += 1
            continue
        out.add_line(text, m is not None, style)
        prev = ln
        i += 1
    out.flush()
    return out.blocks


def _emit_table(
    lines: list[Line],
    table_of: list[int],
    kinds: list[str],
    i: int,
    group: int,
    blocks: list[Block],
) -> int:
    """Blocks of the table starting at line ``i``; returns the index after it.

    Lines before the first row are its caption and column headers, except the label
    lines that wrap onto the first row (at the row's left edge, after the last header
    cell). A row that starts in lower case continues the label lines before it."""
    t_no = table_of[i]
    idx: list[int] = []
    n = len(lines)
    while i < n and (table_of[i] == t_no or not lines[i].text):
        if lines[i].text:
            idx.append(i)
        i += 1

    def add(text: str, level: int) -> None:
        blocks.append(Block(text, "tabel", level, group=group, chars_clean=True))

    first = next(k for k, j in enumerate(idx) if kinds[j] == "row")
    pre = idx[:first]
    row0 = lines[idx[first]]
    labels: list[int] = []
    if pre:
        if row0.size > 0:  # positions known: labels sit at the row's left edge
            for j in reversed(pre):
                ln = lines[j]
                if abs(ln.x - row0.x) > 6 or kinds[j] in ("cap", "head"):
                    break
                labels.insert(0, j)
            if len(labels) == len(pre) and len(labels) > 1:
                labels = labels[-1:]
        elif not row0.text[:1].isupper():
            labels = pre[-1:]
    header: list[str] = []
    for j in pre:
        if j in labels:
            continue
        text = lines[j].text
        if is_caption(text) and not header:
            add(text, 1)
        else:
            header.append(text)
    if header:
        add(" ".join(header), 2)
    pending = [lines[j].text for j in labels]
    for j in idx[first:]:
        text = lines[j].text
        if kinds[j] == "row":
            if pending and text[:1].isupper():
                add(" ".join(pending), 0)
                pending = []
            add(" ".join([*pending, text]), 0)
            pending = []
        else:
            pending.append(text)
    if pending:
        add(" ".join(pending), 0)
    return i


def blocks_has_group(blocks: list[Block], group: int) -> bool:
    return bool(blocks) and blocks[-1].kind == "tabel" and blocks[-1].group == group
