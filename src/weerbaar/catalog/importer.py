"""Import the official wording of the measures from the user's own copy of the guidance.

The guidance lists its measures in one table per pillar (continued over pages): a header
row ("Maatregel | Fase | Eindverantwoordelijk | Samenwerkingspartner"), numbered rows
("1. Gemeenten brengen ..."), and a legend under the table ("Koude fase ... Meest cruciale
maatregel"). Numbering restarts at 1 in every pillar, so "2.2" is the second row of the
second pillar. Pillar headings ("2. Crisisorganisatie" followed by "Bevoegd gezag: ...")
are used when the text has them; an OCR of the PDF often loses them (they are drawn as
graphics), so the pillar is also inferred from the numbering restarting at 1.

Readers: PDF (pypdfium2), DOCX (python-docx, paragraphs and tables in document order),
and plain text (also Markdown-ish exports with ``<p>`` tags and tab-separated rows).
OCR noise that the parser tolerates: table columns run into the measure text (responsible
party and partners at line ends, phase dots and quote marks between columns), marker
letters before a row number ("A 2. Gemeenten ..."), hyphenated line breaks, page footers.

The parser is deliberately strict about structure (numbered rows inside measure tables,
in sequence) so that a file that is not the guidance is rejected as a whole with
:class:`~weerbaar.errors.NotTheGuidance` rather than yielding a partial catalogue.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weerbaar.errors import NotTheGuidance, WeerbaarError

METHOD = "weerbaar.official-import.v1"

# Share of the catalogue's measures that must be found before the file counts as the
# guidance (a different edition may add, drop or renumber a few).
MIN_SHARE_FOUND = 0.75
# Without a catalogue to compare with: at least this many measures in at least this many
# pillars.
MIN_MEASURES, MIN_PILLARS = 20, 4

SUPPORTED = (".pdf", ".docx", ".txt", ".text", ".md", ".markdown")


class ImportReadError(WeerbaarError):
    """The file given to the importer cannot be read."""


@dataclass
class ImportResult:
    """What :func:`import_official_text` found in one file."""

    source_name: str
    source_sha256: str
    texts: dict[str, str]  # measure id ("2.2") -> official wording, in document order
    pillars: dict[int, str] = field(default_factory=dict)  # names when the file gives them
    catalog_version: str | None = None
    missing: list[str] = field(default_factory=list)  # catalogue ids not found in the file
    unexpected: list[str] = field(default_factory=list)  # ids found, not in the catalogue
    notes: list[str] = field(default_factory=list)  # Dutch remarks (gaps, repairs)

    @property
    def matched(self) -> dict[str, str]:
        """Texts whose id is in the catalogue (all texts when there was no catalogue)."""
        return {k: v for k, v in self.texts.items() if k not in self.unexpected}

    def to_json(self) -> dict[str, Any]:
        return {
            "source_name": self.source_name,
            "source_sha256": self.source_sha256,
            "catalog_version": self.catalog_version,
            "found": len(self.texts),
            "matched": len(self.matched),
            "missing": self.missing,
            "unexpected": self.unexpected,
            "notes": self.notes,
            "pillars": {str(k): v for k, v in sorted(self.pillars.items())},
            "texts": self.texts,
        }


# --------------------------------------------------------------------------- reading
def read_document_text(path: Path) -> str:
    """The text of a PDF, DOCX or text file; pages/sections separated by form feeds."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportReadError(f"Bestand {path} is niet te lezen: {exc}") from exc
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        return _read_pdf(path)
    if suffix == ".docx" or (data[:2] == b"PK" and suffix not in (".txt", ".md")):
        return _read_docx(path)
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportReadError(f"Bestand {path.name} is geen leesbare tekst.")  # pragma: no cover


def _read_pdf(path: Path) -> str:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ImportReadError(
            f"Bestand {path.name} is geen leesbare PDF (beschadigd of versleuteld): {exc}"
        ) from exc
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    text = "\f".join(pages)
    if not text.strip():
        raise ImportReadError(
            f"PDF {path.name} bevat geen tekstlaag; maak eerst een OCR-versie of lever tekst aan."
        )
    return text


def _read_docx(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types
        raise ImportReadError(f"Bestand {path.name} is geen leesbaar Word-document: {exc}") from exc
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if not cells or cells[-1] != text:  # merged cells repeat their text
                        cells.append(text)
                lines.append("\t".join(cells))
            lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- parsing
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_ROW = re.compile(
    r"""^(?P<junk>[^\w\s]{1,3}\s*|[A-Za-z]\s+)?        # marker debris: "A ", "n ", "•"
        (?:(?P<p>[1-9])\.(?P<m>\d{1,2})\.?              # "2.2" or "2.2."
          |(?P<n>\d{1,2}|[lI])\s?[.)])                   # "2." (OCR may read 1 as l or I)
        \s+(?P<rest>[A-Z"'‘“(].*)$""",
    re.VERBOSE,
)
_BARE_NUMBER = re.compile(r"^(?:[1-9]\.)?\d{1,2}\s?[.)]$|^[1-9]\.\d{1,2}$")
_PILLAR_HEADING = re.compile(
    r"^(?:pijler\s+)?(?P<n>[1-9])\s*[.:]?\s+(?P<name>[A-Z][^\t]{2,90}?)\s*$", re.IGNORECASE
)
# The heading of the measures section (not its line in the table of contents).
_SECTION = re.compile(r"^\W{0,3}maatregelen\b[^\t]*[^\d\s]\s*$", re.IGNORECASE)
_BEVOEGD = re.compile(r"^bevoegd\s+gezag\s*:?\s*(?P<who>.*)$", re.IGNORECASE)
_HEADER = re.compile(r"^\W{0,3}maatregel\b", re.IGNORECASE)
_HEADER_KEYS = ("eindverant", "samenwerking", "fase", "verantwoordelijk")
_LEGEND = re.compile(r"koude\s+fase|meest\s+cruciale\s+maatregel|warme\s+fase\s*\(", re.I)
_GLYPH_RUN = re.compile(r"\s+(?:[.‘’'`•●·°*<>|]\s+){1,8}(?=[A-Z])")
_PARTY_TAIL = re.compile(
    r"(?<=[a-z,;:\-])\s+(?:Gemeenten|Gemeente|Veiligheidsregio['’]?s?|Veiligheids-|"
    r"Provincies?(?:\s+en)?)\s*$"
)
_SENTENCE_END = re.compile(r"[.!?)](?:['’”])?$")


@dataclass
class _Row:
    pillar: int
    number: int
    lines: list[str]


def _clean_line(line: str) -> str:
    line = _TAG.sub("", line)
    line = re.sub(r"^\s*#{1,6}\s+", "", line)  # Markdown heading marks
    line = _MD_LINK.sub(r"\1", line)
    line = line.replace("\u00a0", " ").replace("\u00ad", "")
    return line.strip()


def _first_cell(line: str) -> str:
    """For a table row (tab-separated, or a Markdown row "| a | b |"): the first non-empty
    cell (the measure text)."""
    if line.lstrip().startswith("|") and line.count("|") >= 3:
        cells = line.split("|")
    elif "\t" in line:
        cells = line.split("\t")
    else:
        return line
    for cell in cells:
        if cell.strip():
            return cell.strip()
    return ""


def _strip_columns(line: str) -> tuple[str, str]:
    """Remove the responsible/partner columns that OCR ran into the measure text;
    returns ``(text, removed)``."""
    original = line
    if " | " in line or line.endswith(" |"):
        head = line.split(" |", 1)[0]
        tokens = head.split()
        cut = len(tokens)
        for i in range(len(tokens) - 1, max(len(tokens) - 4, -1), -1):
            if tokens[i][:1].isupper():
                cut = i
                break
        line = " ".join(tokens[:cut])
    m = _GLYPH_RUN.search(line)
    if m:
        line = line[: m.start()]
    line = _PARTY_TAIL.sub("", line)
    # Leftover phase markers at the end ("zowel . . ." or "voor de ‘"). A single " ." is
    # only a marker when column text followed it; an export may also put a space before
    # the final full stop ("Bondgenoten .").
    if line != original:
        line = re.sub(r"(?:\s+[.‘’'`•●·°*<>|])+\s*$", "", line)
    else:
        line = re.sub(r"(?:\s+[.‘’'`•●·°*<>|]){2,}\s*$|(?:\s+[‘’'`•●·°*<>|])+\s*$", "", line)
    line = line.strip()
    removed = original[len(line) :] if original.startswith(line) else ""
    return line, removed


def _words(text: str) -> set[str]:
    return {w.lower().replace("’", "'") for w in re.findall(r"[\w'’]+", text) if len(w) > 1}


# Words never taken for column debris, even when a column contains them.
_KEEP_WORDS = {"en", "de", "het", "van", "met", "voor", "in", "op", "gemeenten", "gemeente"}


def _ends_sentence(lines: list[str]) -> bool:
    for line in reversed(lines):
        if line.strip():
            return bool(re.search(r"[.!?]['’”)]?$", line.strip()))
    return False


def _heading_like(line: str) -> bool:
    """A short title line: capital first letter, at most six words, no end punctuation."""
    words = line.split()
    return (
        0 < len(words) <= 6
        and line[:1].isupper()
        and not re.search(r"[.,;:!?\-|]$", line)
        and "|" not in line
    )


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def _is_header(lines: list[str], i: int) -> bool:
    """A measure table header: "Maatregel" with the column names on the same line or on
    the next few short lines ("Eindverant-", "woordelijk", ...)."""
    if not _HEADER.match(lines[i]):  # "Maatregelen ..." (a heading) does not match
        return False
    window = [lines[i]]
    for nxt in lines[i + 1 : i + 10]:
        if len(window) > 4:
            break
        if nxt:
            if len(nxt) > 40:
                break
            window.append(nxt)
    text = " ".join(window).lower()
    return any(key in text for key in _HEADER_KEYS)


def _pillar_heading(lines: list[str], i: int) -> tuple[int, str, str] | None:
    m = _PILLAR_HEADING.match(lines[i])
    if not m:
        return None
    seen = 0
    for nxt in lines[i + 1 :]:
        if not nxt:
            continue
        b = _BEVOEGD.match(nxt)
        if b:
            return int(m.group("n")), m.group("name").strip(), b.group("who").strip()
        seen += 1
        if seen >= 2:
            return None
    return None


def _boilerplate(lines: list[str]) -> set[str]:
    """Short lines that repeat on many pages (running headers and footers)."""

    def key(s: str) -> str:
        return re.sub(r"[\d\s]+", " ", s).strip().lower()

    counts = Counter(key(s) for s in lines if s and len(s) < 80)
    return {k for k, n in counts.items() if n >= 3 and _letters(k) >= 8}


_CONJUNCTIONS = {"en", "of", "tot", "als", "dan"}


def _join(lines: list[str], vocabulary: set[str]) -> str:
    text = ""
    for line in lines:
        if not text:
            text = line
            continue
        m = re.search(r"(\w+)-$", text)
        if m and line[:1].islower():
            head, tail = m.group(1), re.match(r"\w+", line)
            tail_word = tail.group(0) if tail else ""
            joined = (head + tail_word).lower()
            if tail_word in _CONJUNCTIONS:  # "voor- en nafase"
                text = text + " " + line
            elif f"{head}-{tail_word}".lower() in vocabulary:  # "cloud-aanbieders"
                text = text + line
            elif joined in vocabulary or len(head) < 4 or len(tail_word) < 4:
                text = text[:-1] + line  # a word broken over two lines
            else:
                text = text + line
        else:
            text = text + " " + line
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([.,;:!?)])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    return text.strip()


def _drop_debris(row: _Row) -> tuple[list[str], list[str]]:
    """Strip the column text from each line of a row and drop lines that are only column
    debris; returns ``(kept lines, removed column text)``."""
    kept: list[str] = []
    removed: list[str] = []
    for i, raw in enumerate(row.lines):
        line, gone = _strip_columns(raw)
        removed.append(gone)
        if i > 0:
            # A crucial-measure marker letter read at the start of a wrapped line.
            line = re.sub(r"^[A-TV-Z]\s+(?=[a-z(])", "", line)
            if _letters(line) < 2:
                removed.append(line)
                continue
            words = line.split()
            if len(words) <= 3 and not _SENTENCE_END.search(line) and not line.startswith("-"):
                m = re.match(r"^(.*\w[.!?)])\s+(\S.*)$", line)
                if m:  # "corporatiewoningen. poraties, energiele-"
                    line = m.group(1)
                    removed.append(m.group(2))
                else:  # "partners", "Gemeenten VWS", "voor voedseldistri-"
                    removed.append(line)
                    continue
        if line:
            kept.append(line)
    if len(kept) > 1:
        # Column debris after the final full stop: "... te waarborgen. bedrijven".
        m = re.match(r"^(.*[.!?)])\s+([^.!?]{1,40})$", kept[-1])
        if m and not _SENTENCE_END.search(kept[-1]):
            kept[-1] = m.group(1)
            removed.append(m.group(2))
    return kept, removed


def _column_continues(first_removed: str) -> bool:
    """Whether the column text cut from a row's first line goes on below it
    ("Veiligheidsregio's," or "Regionale veilig-"): then the next lines carry debris."""
    tail = first_removed.rstrip()
    return bool(tail) and (tail.endswith((",", "-")) or tail.endswith(" en"))


def _finish(kept: list[str], removed: list[str], debris: set[str], vocabulary: set[str]) -> str:
    lines = list(kept)
    continues = bool(removed) and _column_continues(removed[0])
    # Column words at the end of a wrapped (not the last) line: "... noodstroom en
    # maatschappelijke" where "maatschappelijke" belongs to the partner column.
    for i in range(len(lines) - 1):
        tokens = lines[i].split()
        for _ in range(2 if continues else 0):
            if len(tokens) < 4:
                break
            last = tokens[-1].strip(",;:").lower().replace("’", "'")
            if last in debris and last not in _KEEP_WORDS and not tokens[-1].endswith("."):
                tokens.pop()
            else:
                break
        if continues and len(tokens) >= 5:
            # A split column word ("drinkwater- lenW"): a hyphenated fragment that is not
            # followed by "en"/"of" as in "zelf- en samenredzaamheid".
            if tokens[-2].endswith("-") and tokens[-1].lower() not in ("en", "of", "tot"):
                del tokens[-2:]
            # The second half of a column word split on the first line ("veilig-" then
            # "heidsnetwerken" at the end of the next line).
            elif i == 1 and removed[0].rstrip().endswith("-") and tokens[-1].islower():
                tail = tokens[-1].strip(",;:")
                if tail not in _KEEP_WORDS and tail.isalpha():
                    tokens.pop()
        # The same word at the end of a line and the start of the next: OCR repeats it.
        nxt = lines[i + 1].split()
        if tokens and nxt and tokens[-1].lower() == nxt[0].lower() and len(tokens[-1]) > 3:
            tokens.pop()
        lines[i] = " ".join(tokens)
    return _join([ln for ln in lines if ln], vocabulary)


def parse_guidance_text(
    text: str, *, lenient: bool = False, max_pillars: int | None = None
) -> tuple[dict[str, str], dict[int, str], list[str]]:
    """Find the measure rows in the text of the guidance.

    Rows are read only inside measure tables: from a header row ("Maatregel ...") to the
    legend under the table, a pillar heading or the next header. ``lenient`` is for
    exports without a header above every table: rows are read from the first header (or
    the heading of the measures section) to the end, up to ``max_pillars`` pillars.

    Returns ``(texts, pillar_names, notes)``: texts by measure id in document order, the
    pillar names when the text has pillar headings, and Dutch notes on gaps."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Soft hyphens at a line break (PDF text layers give U+00AD, U+FFFE or U+0002): the
    # word continues on the next line.
    text = re.sub(r"[\u00ad\ufffe\u0002][ \t]*\n[ \t]*", "", text)
    split = text.replace("\f", "\n").split("\n")
    # Whole lines (tabs as spaces) to recognise headers and legends; the first cell of a
    # tab-separated table row for the measure text.
    full = [_clean_line(line.replace("\t", " ")) for line in split]
    lines = [_clean_line(_first_cell(line)) for line in split]
    vocabulary = {w.lower() for w in re.findall(r"\w+-\w+|\w{5,}", text)}
    reader = _RowReader(lenient=lenient, max_pillars=max_pillars)
    reader.read(full, lines)
    texts = _row_texts(reader.rows, vocabulary, reader.notes)
    return texts, reader.pillars, reader.notes


@dataclass
class _RowReader:
    """Reads the measure rows of the guidance's tables, line by line."""

    lenient: bool
    max_pillars: int | None
    rows: list[_Row] = field(default_factory=list)
    pillars: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    pillar: int = 0  # pillar 0 until the first row or heading
    prev: int = 0  # the number of the last row in this pillar
    in_table: bool = False
    current: _Row | None = None
    pending: str | None = None  # a row number seen on a line of its own

    def close(self) -> None:
        if self.current is not None:
            self.rows.append(self.current)
            self.current = None

    def read(self, full: list[str], lines: list[str]) -> None:
        boiler = _boilerplate(lines)
        for i, line in enumerate(lines):
            if not line or self._structure(full, i):
                continue
            if re.sub(r"[\d\s]+", " ", line).strip().lower() in boiler:
                continue
            if not self.in_table:
                continue
            if self.pending is not None:
                # The row number was a line of its own ("2." then "Gemeenten richten ...").
                if _ROW.match(f"{self.pending} {line}"):
                    line = f"{self.pending} {line}"
                self.pending = None
            elif _BARE_NUMBER.match(line):
                self.pending = line.strip()
                continue
            started = self._start_row(line)
            if started is None:
                break  # past the last pillar: the rest of the document
            if started:
                continue
            if self.current is not None:
                if _ends_sentence(self.current.lines) and _heading_like(line):
                    # A heading after a finished sentence: the table has ended (an export
                    # without the legend under the table).
                    self.close()
                    continue
                self.current.lines.append(line)
        self.close()

    def _structure(self, full: list[str], i: int) -> bool:
        """Whether line ``i`` is a pillar heading, a legend, a section heading or a
        table header (each opens or closes a table); the line is then handled."""
        heading = _pillar_heading(full, i)
        if heading is not None:
            self.close()
            self.in_table = self.lenient and self.in_table
            number, name, _who = heading
            self.pillars.setdefault(number, name)
            if number != self.pillar:
                self.pillar, self.prev = number, 0
            return True
        if _BEVOEGD.match(full[i]) or _LEGEND.search(full[i]):
            self.close()
            self.in_table = self.lenient and self.in_table
            return True
        if self.lenient and _SECTION.match(full[i]):
            self.in_table = True
            return True
        if _is_header(full, i):
            self.close()
            self.in_table = True
            return True
        return False

    def _start_row(self, line: str) -> bool | None:
        """Whether ``line`` starts the next row (numbered on from the one before, or the
        first of the next pillar); ``None`` when that row is past ``max_pillars``."""
        m = _ROW.match(line)
        if not m:
            return False
        pillar, prev = self.pillar, self.prev
        if m.group("p"):
            p, n = int(m.group("p")), int(m.group("m"))
        else:
            raw_n = m.group("n")
            n = 1 if raw_n in ("l", "I") else int(raw_n)
            p = max(pillar, 1) if n > prev else pillar + 1  # restart: next pillar
        same = p == max(pillar, 1) and prev < n <= prev + 3
        new_pillar = p == pillar + 1 and prev > 0 and 1 <= n <= 3
        if not (same or new_pillar):
            return False
        if self.max_pillars is not None and p > self.max_pillars:
            return None
        self.close()
        first = prev + 1 if same else 1
        if n > first:
            gap = f"{p}.{first}" if n == first + 1 else f"{p}.{first} t/m {p}.{n - 1}"
            self.notes.append(f"Maatregel {gap} niet gevonden (de nummering springt).")
        self.pillar, self.prev = p, n
        self.current = _Row(p, n, [m.group("rest")])
        return True


def _row_texts(rows: list[_Row], vocabulary: set[str], notes: list[str]) -> dict[str, str]:
    """The text of each row by measure id, without the words of other columns that
    run into it; a repeated measure id is noted in ``notes`` and left out."""
    cleaned = [_drop_debris(row) for row in rows]
    debris: set[str] = set()
    for _kept, removed in cleaned:
        for part in removed:
            debris |= _words(part)
    texts: dict[str, str] = {}
    for row, (kept, removed) in zip(rows, cleaned, strict=True):
        key = f"{row.pillar}.{row.number}"
        body = _finish(kept, removed, debris, vocabulary)
        if key in texts:
            notes.append(f"Maatregel {key} komt twee keer voor; de eerste is gebruikt.")
            continue
        if body:
            texts[key] = body
    return texts


# --------------------------------------------------------------------------- import
def import_official_text(
    path: str | Path,
    *,
    catalog_version: str | None = None,
    expected_ids: list[str] | None = None,
) -> ImportResult:
    """Read the guidance from ``path`` and return the official text of each measure.

    The ids are compared with the measure catalogue (``catalog_version``, default the
    newest; or ``expected_ids``). Raises :class:`NotTheGuidance` when the file does not
    have the structure of the guidance, :class:`ImportReadError` when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise ImportReadError(f"Bestand {path} bestaat niet.")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    text = read_document_text(path)

    version = catalog_version
    notes: list[str] = []
    if expected_ids is None:
        from weerbaar.catalog.versions import available_versions, load_catalog

        if catalog_version is not None or available_versions():
            catalog = load_catalog(catalog_version)
            expected_ids, version = catalog.ids(), catalog.version
        else:
            notes.append("Geen maatregelcatalogus beschikbaar: nummers niet vergeleken.")
    expected = list(expected_ids) if expected_ids is not None else None
    max_pillars = len({i.split(".")[0] for i in expected}) if expected else 9

    def score(texts: dict[str, str]) -> int:
        if expected is None:
            return len(texts) if len({k.split(".")[0] for k in texts}) >= MIN_PILLARS else 0
        return sum(1 for i in expected if i in texts)

    def enough(found: int) -> bool:
        if expected is None:
            return found >= MIN_MEASURES
        return bool(expected) and found >= MIN_SHARE_FOUND * len(expected)

    texts, pillars, parse_notes = parse_guidance_text(text, max_pillars=max_pillars)
    found = score(texts)
    if expected is not None and found < len(expected):
        # An export without a header row above every table: read more leniently.
        l_texts, l_pillars, l_notes = parse_guidance_text(
            text, lenient=True, max_pillars=max_pillars
        )
        if score(l_texts) > found:
            texts, pillars, found = l_texts, l_pillars, score(l_texts)
            parse_notes = [
                *l_notes,
                "Niet elke maatregeltabel had een kopregel; het bestand is ruimer gelezen.",
            ]
    if not enough(found):
        total = f" van de {len(expected)}" if expected else ""
        raise NotTheGuidance(
            f"{path.name} lijkt niet de handreiking 'Weerbaarheid en veerkracht op lokaal "
            f"niveau' te zijn: er zijn {found}{total} maatregelen herkend (genummerde rijen "
            "in de maatregeltabellen per pijler). Er is niets opgeslagen."
        )
    result = ImportResult(
        source_name=path.name,
        source_sha256=sha,
        texts=texts,
        pillars=pillars,
        catalog_version=version,
        notes=notes + parse_notes,
    )
    if expected is not None:
        result.missing = [i for i in expected if i not in texts]
        result.unexpected = [i for i in texts if i not in set(expected)]
    return result


__all__ = [
    "METHOD",
    "ImportReadError",
    "ImportResult",
    "import_official_text",
    "parse_guidance_text",
    "read_document_text",
]
