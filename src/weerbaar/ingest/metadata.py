"""Organisation, document type, year and title: given (CLI or manifest) or inferred from
the file name and the first pages. Inferred values record how they were found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DOC_TYPES = ("begroting", "jaarstukken", "risicoprofiel", "beleidsplan", "raadsbrief", "overig")

# (pattern, type); the earliest match in a text wins.
_TYPE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(jaarstukken|jaarverslag|jaarrekening)", re.I), "jaarstukken"),
    (re.compile(r"\b(programmabegroting|begroting|kadernota|voorjaarsnota)", re.I), "begroting"),
    (re.compile(r"\b(regionaal\s+)?risicoprofiel", re.I), "risicoprofiel"),
    (re.compile(r"\b(beleidsplan|crisisplan|beleidskader)", re.I), "beleidsplan"),
    (
        re.compile(r"\b(raadsinformatiebrief|raadsvoorstel|raadsbrief|collegebrief)", re.I),
        "raadsbrief",
    ),
)
_YEAR_AFTER_TYPE = re.compile(
    r"\b(?:programmabegroting|begroting|jaarstukken|jaarverslag|jaarrekening|kadernota|"
    r"voorjaarsnota|risicoprofiel|beleidsplan|crisisplan)\D{0,12}?((?:19|20)\d{2})(?!\d)",
    re.I,
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
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


def infer(
    given: Metadata,
    *,
    file_name: str,
    first_text: str,
    reader_title: str | None,
    index: OrganisationIndex | None,
) -> Metadata:
    """Fill what is not given from the file name, then the first pages."""
    out = Metadata(**{**given.__dict__, "inferred": dict(given.inferred)})
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file_name)
    name_text = re.sub(r"[_\-.]+", " ", stem)
    if out.doc_type is None:
        for source, text in (
            ("bestandsnaam", name_text),
            ("titel", reader_title or ""),
            ("eerste pagina's", first_text),
        ):
            found = infer_doc_type(text)
            if found:
                out.doc_type = found[0]
                out.inferred["doc_type"] = {"value": found[0], "how": f"{source}: '{found[1]}'"}
                break
    if out.year is None:
        for source, text, loose in (
            ("bestandsnaam", name_text, False),
            ("titel", reader_title or "", False),
            ("eerste pagina's", first_text, False),
            ("bestandsnaam", name_text, True),
        ):
            found_year = infer_year(text, loose=loose)
            if found_year and 1990 <= found_year[0] <= 2100:
                out.year = found_year[0]
                out.inferred["year"] = {
                    "value": found_year[0],
                    "how": f"{source}: '{found_year[1]}'",
                }
                break
    if out.organisation is None and index is not None:
        # the file name and the title weigh more than a passing mention in the text
        top = first_text[:_FIRST_LINES_CHARS]
        for source, finder, text in (
            ("bestandsnaam", index.find_prefixed, name_text),
            ("bestandsnaam", index.find_in_name, name_text),
            ("titel", index.find_prefixed, reader_title or ""),
            ("titel", index.find_in_name, reader_title or ""),
            ("eerste regels", index.find_in_body, top),
            ("eerste pagina's", index.find_in_body, first_text),
        ):
            found_org = finder(text)
            if found_org:
                out.organisation = found_org[0]
                out.inferred["organisation"] = {
                    "value": found_org[0],
                    "how": f"{source}: '{found_org[1]}'",
                }
                break
    if out.title is None:
        if (
            reader_title
            and len(reader_title) >= 4
            and not reader_title.lower().startswith(
                ("microsoft word", "untitled", "document", "(anonymous)", "anonymous", "naamloos")
            )
        ):
            out.title = reader_title
            out.inferred["title"] = {
                "value": reader_title,
                "how": "documenteigenschappen of eerste kop",
            }
        else:
            # underscores and dots as spaces; hyphens stay within "2026-2029", "Baarle-Nassau"
            title = re.sub(r"[_.]+|(?<=\s)-+|-+(?=\s)|^-+|-+$", " ", stem)
            out.title = " ".join(title.split())[:300] or file_name
            out.inferred["title"] = {"value": out.title, "how": "bestandsnaam"}
    return out
