"""Organisation, document type, year and title: given (CLI or manifest) or inferred from
the file name and the first pages. Inferred values record how they were found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DOC_TYPES = (
    "begroting",  # programmabegroting, meerjarenbegroting
    "jaarstukken",  # jaarstukken, jaarverslag, jaarrekening
    "kadernota",  # kadernota, voorjaarsnota, perspectiefnota
    "raadsvoorstel",
    "raadsinformatiebrief",
    "raadsbrief",
    "besluitenlijst",
    "beleidsplan",
    "risicoprofiel",
    "crisisplan",
    "woo-besluit",
    "nota",
    "overig",
)

# (pattern, type); in one text the earliest match wins ("Besluitenlijst ... raadsinformatie-
# brief" is a decision list). Words inside longer words do not count ("begrotingswijziging"
# names a proposal, not a budget).
_TYPE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(besluitenlijst(?:en)?|besluitenoverzicht)\b", re.I), "besluitenlijst"),
    (re.compile(r"\b(jaarstukken|jaarverslag|jaarrekening)\b", re.I), "jaarstukken"),
    (
        re.compile(r"\b(kadernota|voorjaarsnota|perspectiefnota|voorjaarsbrief)\b", re.I),
        "kadernota",
    ),
    (
        re.compile(r"\b(programmabegroting|meerjarenbegroting|ontwerpbegroting|begroting)\b", re.I),
        "begroting",
    ),
    (re.compile(r"\b((?:regionaal\s+)?risicoprofiel)\b", re.I), "risicoprofiel"),
    (
        re.compile(r"\b(crisisplan|rampenplan|crisisbeheersingsplan|calamiteitenplan)\b", re.I),
        "crisisplan",
    ),
    (
        re.compile(r"\b(beleidsplan|beleidskader|beleidsvisie|veiligheidsplan)\b", re.I),
        "beleidsplan",
    ),
    (
        re.compile(
            r"\b(raadsinformatiebrief|raadsmededeling|collegebrief|informatiebrief)\b", re.I
        ),
        "raadsinformatiebrief",
    ),
    (re.compile(r"\b(raadsvoorstel|collegevoorstel)\b", re.I), "raadsvoorstel"),
    (re.compile(r"\b(raadsbrief)\b", re.I), "raadsbrief"),
    (
        re.compile(r"\b(woo-besluit|wob-besluit|besluit op uw (?:woo|wob)-verzoek)\b", re.I),
        "woo-besluit",
    ),
    (re.compile(r"\b(beslisnota|nota|notitie|memo)\b", re.I), "nota"),
)
# the year named with the type: "Programmabegroting 2026", "Beleidsplan 2024-2027"
_YEAR_AFTER_TYPE = re.compile(
    r"\b(?:programmabegroting|meerjarenbegroting|ontwerpbegroting|begroting|jaarstukken|"
    r"jaarverslag|jaarrekening|kadernota|voorjaarsnota|perspectiefnota|risicoprofiel|"
    r"beleidsplan|beleidskader|crisisplan|veiligheidsplan)\D{0,12}?((?:19|20)\d{2})(?!\d)",
    re.I,
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("januari", "jan"), ("februari", "feb"), ("maart", "mrt", "mar"), ("april", "apr"),
            ("mei",), ("juni", "jun"), ("juli", "jul"), ("augustus", "aug"),
            ("september", "sep", "sept"), ("oktober", "okt", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for m in names
}  # fmt: skip
_DATE_WORDS = re.compile(
    r"\b(\d{1,2})\s+("
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?\s+((?:19|20)\d{2})\b",
    re.I,
)
_DATE_NUM = re.compile(r"(?<![\d.])(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d{2})(?!\d)")
_DATE_LABEL = re.compile(
    r"\b(datum|d\.d\.|vergadering van|vergaderdatum|vastgesteld op|verzonden|sent|date)\b", re.I
)
# Types whose "year" is the year their date falls in (a meeting, a letter, a decision);
# for the others it is the year the document is about (the budget year, the accounts'
# year, the first year of a plan's period).
DATED_TYPES = frozenset(
    {"besluitenlijst", "raadsvoorstel", "raadsinformatiebrief", "raadsbrief", "woo-besluit", "nota"}
)
# a lookahead, so that one match cannot swallow the next "gemeente X"
_PREFIXED = re.compile(r"\b(gemeente|veiligheidsregio|vr)\s+(?=((?:\S+\s*){1,5}))")


@dataclass
class Metadata:
    organisation: str | None = None
    doc_type: str | None = None
    year: int | None = None
    title: str | None = None
    source_url: str | None = None
    inferred: dict[str, Any] = field(default_factory=dict)


def infer_doc_type(text: str) -> tuple[str, str] | None:
    best: tuple[int, str, str] | None = None
    for pattern, kind in _TYPE_WORDS:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind, m.group(0))
    return (best[1], best[2]) if best else None


def infer_year(text: str, *, loose: bool) -> tuple[int, str] | None:
    m = _YEAR_AFTER_TYPE.search(text)
    if m:
        return int(m.group(1)), " ".join(m.group(0).split())
    if loose:
        m = _YEAR.search(text)
        if m:
            return int(m.group(1)), m.group(1)
    return None


def find_date(text: str) -> tuple[str, str] | None:
    """The document's date (ISO) and the words it was found in: a date after a label
    ("Datum", "d.d.", "vergadering van") wins, else the first date in the text."""
    found: list[tuple[int, int, str, str]] = []  # (not labelled, position, iso, words)
    for pattern in (_DATE_WORDS, _DATE_NUM):
        for m in pattern.finditer(text):
            day = int(m.group(1))
            month = _MONTHS.get(m.group(2).lower()) if pattern is _DATE_WORDS else int(m.group(2))
            year = int(m.group(3))
            if not month or not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            before = text[max(0, m.start() - 40) : m.start()]
            labelled = bool(_DATE_LABEL.search(before))
            found.append((0 if labelled else 1, m.start(), f"{year:04d}-{month:02d}-{day:02d}",
                          " ".join(m.group(0).split())))  # fmt: skip
    if not found:
        return None
    _, _, iso, words = min(found)
    return iso, words


_PLACEHOLDER_TITLES = (
    "microsoft word", "untitled", "document", "(anonymous)", "anonymous", "naamloos", "titel",
    "powerpoint", "presentatie",
)  # fmt: skip


def clean_title(title: str) -> str | None:
    """A document-properties title without copy counters, program prefixes, file
    extensions and attachment numbers ("Bijlage 1 - Jaarstukken 2019 (1)" -> "Jaarstukken
    2019"); None for placeholders."""
    t = " ".join(title.split())
    t = re.sub(r"^microsoft (?:word|excel|powerpoint)\s*-\s*", "", t, flags=re.I)
    t = re.sub(r"\.(?:docx?|pdf|xlsx?|pptx?|odt)$", "", t, flags=re.I)
    t = re.sub(r"(?:\s*\(\d{1,2}\))+$", "", t)
    t = re.sub(r"^(?:raads)?bijlage\s*\d*\s*[-:–]\s*", "", t, flags=re.I)
    t = t.strip(" -_")
    if len(t) < 4 or t.lower().startswith(_PLACEHOLDER_TITLES) or not re.search(r"[^\W\d_]{3}", t):
        return None
    return t[:300]


def first_lines(text: str, n: int = 6) -> list[str]:
    """The first non-empty lines of the document text (blocks are separated by blank
    lines; a block is one line)."""
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            out.append(line)
            if len(out) == n:
                break
    return out


# "Titel: ...", "Onderwerp: ...", "Betreft ..." at the start of a line of the heading of a
# note or letter, or after its date ("Datum 11 september 2020 Betreft ..."); the label
# may stand alone with the title on the next line
_TITLE_LABEL = re.compile(r"^(?:titel|onderwerp|betreft)\b\s*(:?)\s*(.*)$", re.I)
_LABEL_AFTER_DATE = re.compile(r"^datum\b.*?\s(?:onderwerp|betreft)\b\s*:?\s*(\S.*)$", re.I)


def title_from_label(text: str, lines: int = 15) -> str | None:
    """The title a note, memo or letter gives in its heading ("Titel:", "Onderwerp:",
    "Betreft"), from its first lines; None when there is none."""
    found = first_lines(text, lines)
    for i, line in enumerate(found):
        if (m := _TITLE_LABEL.match(line)) is not None:
            colon, value = m.group(1), m.group(2).strip()
            # without a colon the title starts with a capital ("Betreft Aanvullende ..."):
            # "Titel en inhoud" is a caption, not a title
            if value and not colon and not (value[0].isupper() or value[0].isdigit()):
                continue
        elif (m := _LABEL_AFTER_DATE.match(line)) is not None:
            value = m.group(1).strip()
        else:
            continue
        if not value and i + 1 < len(found):  # the label alone on its line
            value = found[i + 1]
        value = " ".join(value.split())
        sentence = value.endswith((".", "!", "?")) or re.search(r"[.!?]\s", value)
        if 4 <= len(value) <= 300 and re.search(r"[^\W\d_]{3}", value) and not sentence:
            return value
    return None


def title_from_text(text: str) -> str | None:
    """A title from the first lines: the first line that names a document type (and is
    not a sentence), else None."""
    lines = first_lines(text, 8)
    for i, line in enumerate(lines):
        if len(line) > 160 or line.endswith((".", ",", ";")):
            continue
        if infer_doc_type(line) and sum(c.isalpha() for c in line) >= 0.5 * len(line):
            # "Begroting" over "2021-2024" on a cover: one title
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if len(line.split()) <= 3 and _YEAR.search(nxt) and len(nxt) <= 30:
                return f"{line} {nxt}"
            return line
    return None


_ABBREVIATION = re.compile(r"^[A-Z]{3,6}$|^VR[A-Z][A-Za-z]{2,12}$")
_FIRST_LINES_CHARS = 400


class OrganisationIndex:
    """Normalised organisation names, aliases and abbreviations (VRBZO, VGGM) of the
    register and the workspace."""

    def __init__(self, ws: Any) -> None:
        from weerbaar.catalog.organisations import normalise_name
        from weerbaar.store.organisations import list_organisations

        self.norm = normalise_name
        self.municipalities: dict[str, str] = {}
        self.regions: dict[str, str] = {}
        self.abbreviations: dict[str, str] = {}  # normalised ("vrbzo") -> region code
        body_patterns: list[str] = []
        for org in list_organisations(ws):
            is_region = org.type == "veiligheidsregio"
            target = self.regions if is_region else self.municipalities
            labels = [org.name, re.sub(r"\s*\(.*\)$", "", org.name)]
            for alias in org.aliases:
                if is_region and _ABBREVIATION.match(alias):
                    self.abbreviations.setdefault(normalise_name(alias), org.code)
                    # in running text only the capitalised form, "VR" maybe apart
                    rest = alias[2:] if alias.startswith("VR") else None
                    body_patterns.append(f"VR[ -]?{re.escape(rest)}" if rest else re.escape(alias))
                else:
                    labels.append(alias)
            for label in labels:
                key = normalise_name(label)
                for prefix in ("veiligheidsregio ", "gemeente "):
                    if key.startswith(prefix):
                        key = key[len(prefix) :]
                if key:
                    target.setdefault(key, org.code)
        # former municipalities (merged since) name their successor: "gemeente Brielle"
        from weerbaar.catalog.organisations import load_register

        for name, code in load_register().former_names():
            self.municipalities.setdefault(normalise_name(name), code)
        self._body_abbr = (
            re.compile(
                r"(?<![A-Za-z0-9])("
                + "|".join(sorted(body_patterns, key=len, reverse=True))
                + r")(?![A-Za-z0-9])"
            )
            if body_patterns
            else None
        )

    def _abbreviation(self, norm_text: str) -> str | None:
        key = norm_text.replace(" ", "")
        if key in self.abbreviations:
            return self.abbreviations[key]
        return None

    def prefixed_matches(self, text: str) -> list[tuple[int, str, str]]:
        """Every "gemeente X" / "veiligheidsregio X" / "VR X" naming a known organisation:
        (position in the normalised text, code, what was found)."""
        norm = self.norm(text)
        out: list[tuple[int, str, str]] = []
        for m in _PREFIXED.finditer(norm):
            table = self.municipalities if m.group(1) == "gemeente" else self.regions
            words = m.group(2).split()
            for n in range(min(4, len(words)), 0, -1):
                key = " ".join(words[:n])
                if key in table:
                    out.append((m.start(), table[key], f"{m.group(1)} {key}"))
                    break
                if m.group(1) == "vr" and (code := self._abbreviation("vr" + key)):
                    out.append((m.start(), code, f"vr {key}"))
                    break
        return out

    def find_prefixed(self, text: str) -> tuple[str, str] | None:
        """First "gemeente X" / "veiligheidsregio X" in ``text`` naming a known organisation."""
        found = self.prefixed_matches(text)
        return (found[0][1], found[0][2]) if found else None

    def abbreviation_matches(self, text: str) -> list[tuple[int, str, str]]:
        """Region abbreviations written in capitals in running text ("VRBZO", "VR NHN")."""
        if self._body_abbr is None:
            return []
        out: list[tuple[int, str, str]] = []
        for m in self._body_abbr.finditer(text):
            code = self._abbreviation(self.norm(m.group(1)))
            if code:
                out.append((m.start(), code, m.group(1)))
        return out

    def find_in_name(self, name: str) -> tuple[str, str] | None:
        """A municipality or region (name, alias or abbreviation) among the words of a
        file name or title. Names are matched longest first from left to right; a
        municipality wins over a region (a municipality's budget often names its
        region), a prefixed "veiligheidsregio X" aside."""
        words = self.norm(name).split()
        municipal: list[tuple[str, str]] = []
        regional: list[tuple[str, str]] = []
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(4, len(words) - i), 0, -1):
                key = " ".join(words[i : i + n])
                if key.isdigit():
                    continue
                # "vrbzo", "vr bzo", "vr nhn": an abbreviation, however short
                code = self._abbreviation(key)
                if code:
                    hit = (n, "r", code, key)
                elif len(key) < 4:
                    continue
                elif key in self.municipalities:
                    hit = (n, "m", self.municipalities[key], key)
                elif key in self.regions:
                    hit = (n, "r", self.regions[key], key)
                elif key.startswith("vr") and key[2:] in self.regions:  # "VRTwente"
                    hit = (n, "r", self.regions[key[2:]], key)
                if hit:
                    break
            if hit is None:
                i += 1
                continue
            if hit[1] == "r" and not municipal and not regional and hit[3].startswith("vr"):
                # a region's abbreviation before any other name: the publisher
                # ("vrtwente_crisisoefening-hof-van-twente")
                return hit[2], hit[3]
            (municipal if hit[1] == "m" else regional).append((hit[2], hit[3]))
            i += hit[0]
        if municipal:
            return municipal[0]
        return regional[0] if regional else None

    def find_in_body(self, text: str) -> tuple[str, str] | None:
        """The organisation named most often ("gemeente X", "veiligheidsregio X", a region
        abbreviation) in running text; the earliest on a tie."""
        found = self.prefixed_matches(text) + self.abbreviation_matches(text)
        if not found:
            return None
        counts: dict[str, int] = {}
        first: dict[str, tuple[int, str]] = {}
        for pos, code, what in found:
            counts[code] = counts.get(code, 0) + 1
            if code not in first or pos < first[code][0]:
                first[code] = (pos, what)
        best = min(counts, key=lambda c: (-counts[c], first[c][0]))
        return best, first[best][1]


@dataclass(frozen=True)
class _Sources:
    """The texts a document's metadata is inferred from, strongest first."""

    file_name: str
    stem: str  # the file name without its extension
    name_text: str  # the stem with separators as spaces
    first_text: str  # the first pages
    top: str  # the first lines
    cover: str  # the title on the cover ("" if none)
    props: str | None  # the title in the document properties

    def ranked(self) -> tuple[tuple[str, str], ...]:
        return (
            ("titel op de voorpagina", self.cover),
            ("eerste regels", self.top),
            ("documenteigenschappen", self.props or ""),
            ("eerste pagina's", self.first_text),
            ("bestandsnaam", self.name_text),
        )


def infer(
    given: Metadata,
    *,
    file_name: str,
    first_text: str,
    reader_title: str | None,
    index: OrganisationIndex | None,
    cover_title: str | None = None,
    mail_subject: str | None = None,
) -> Metadata:
    """Fill what is not given from the content (the cover title, the first lines, the
    first pages), then the document properties, then the file name. Each inferred value
    records how it was found. What "year" means depends on the type: see ``DATED_TYPES``
    and docs/inlezen.md."""
    out = Metadata(**{**given.__dict__, "inferred": dict(given.inferred)})
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file_name)
    src = _Sources(
        file_name=file_name,
        stem=stem,
        name_text=re.sub(r"[_\-.]+", " ", stem),
        first_text=first_text,
        top="\n".join(first_lines(first_text, 6)),
        cover=cover_title or "",
        props=clean_title(reader_title) if reader_title else None,
    )
    if out.doc_type is None:
        _infer_doc_type(out, src)
    date = find_date(first_text[:3000])
    if date:
        out.inferred["date"] = {"value": date[0], "how": f"eerste pagina's: '{date[1]}'"}
    if out.year is None:
        _infer_year(out, src, date)
    if out.organisation is None and index is not None:
        _infer_organisation(out, src, index, reader_title)
    if out.title is None:
        _infer_title(out, src, cover_title, mail_subject)
    return out


def _infer_doc_type(out: Metadata, src: _Sources) -> None:
    for source, text in src.ranked():
        found = infer_doc_type(text)
        if found:
            out.doc_type = found[0]
            out.inferred["doc_type"] = {"value": found[0], "how": f"{source}: '{found[1]}'"}
            return


def _infer_year(out: Metadata, src: _Sources, date: tuple[str, str] | None) -> None:
    """The date for a dated type (or an unknown one), else a year named after the type;
    then the date, then any year in the file name."""
    dated = out.doc_type in DATED_TYPES or out.doc_type is None
    found_year: tuple[int, str] | None = None
    how = ""
    if date and dated:
        found_year, how = (int(date[0][:4]), date[1]), "datum"
    else:
        for source, text in src.ranked():
            hit = infer_year(text, loose=False)
            if hit and 1990 <= hit[0] <= 2100:
                found_year, how = hit, source
                break
        if found_year is None and date:
            found_year, how = (int(date[0][:4]), date[1]), "datum"
    if found_year is None:
        hit = infer_year(src.name_text, loose=True)
        if hit and 1990 <= hit[0] <= 2100:
            found_year, how = hit, "bestandsnaam"
    if found_year is not None:
        out.year = found_year[0]
        out.inferred["year"] = {"value": found_year[0], "how": f"{how}: '{found_year[1]}'"}


def _infer_organisation(
    out: Metadata, src: _Sources, index: OrganisationIndex, reader_title: str | None
) -> None:
    # the file name and the title weigh more than a passing mention in the text
    head = src.first_text[:_FIRST_LINES_CHARS]
    title = src.cover or reader_title or ""
    for source, finder, text in (
        ("bestandsnaam", index.find_prefixed, src.name_text),
        ("bestandsnaam", index.find_in_name, src.name_text),
        ("titel", index.find_prefixed, title),
        ("titel", index.find_in_name, title),
        ("eerste regels", index.find_in_body, head),
        ("eerste pagina's", index.find_in_body, src.first_text),
    ):
        found_org = finder(text)
        if found_org:
            out.organisation = found_org[0]
            out.inferred["organisation"] = {
                "value": found_org[0],
                "how": f"{source}: '{found_org[1]}'",
            }
            return


def _infer_title(
    out: Metadata, src: _Sources, cover_title: str | None, mail_subject: str | None
) -> None:
    text_title = title_from_text(src.first_text)
    for source, title in (
        ("titel op de voorpagina", cover_title),
        ("eerste regels", text_title),
        ("onderwerp van de e-mail", mail_subject),
        ("titel of onderwerp in de kop", title_from_label(src.first_text)),
        ("documenteigenschappen", src.props),
    ):
        if title and len(title) >= 4:
            out.title = title[:300]
            out.inferred["title"] = {"value": out.title, "how": source}
            return
    # underscores and dots as spaces; hyphens stay within "2026-2029", "Baarle-Nassau"
    name = re.sub(r"[_.]+|(?<=\s)-+|-+(?=\s)|^-+|-+$", " ", src.stem)
    out.title = " ".join(name.split())[:300] or src.file_name
    out.inferred["title"] = {"value": out.title, "how": "bestandsnaam"}
