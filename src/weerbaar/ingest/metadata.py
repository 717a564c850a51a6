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
_PREFIXED = re.compile(r"\b(gemeente|veiligheidsregio|vr)\s+((?:\S+\s*){1,5})")


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


class OrganisationIndex:
    """Normalised organisation names of the register and the workspace."""

    def __init__(self, ws: Any) -> None:
        from weerbaar.catalog.organisations import normalise_name
        from weerbaar.store.organisations import list_organisations

        self.norm = normalise_name
        self.municipalities: dict[str, str] = {}
        self.regions: dict[str, str] = {}
        for org in list_organisations(ws):
            keys = {normalise_name(org.name), normalise_name(re.sub(r"\s*\(.*\)$", "", org.name))}
            target = self.regions if org.type == "veiligheidsregio" else self.municipalities
            for key in keys:
                for prefix in ("veiligheidsregio ", "gemeente "):
                    if key.startswith(prefix):
                        key = key[len(prefix) :]
                target.setdefault(key, org.code)

    def find_prefixed(self, text: str) -> tuple[str, str] | None:
        """First "gemeente X" / "veiligheidsregio X" in ``text`` naming a known organisation."""
        norm = self.norm(text)
        for m in _PREFIXED.finditer(norm):
            table = self.municipalities if m.group(1) == "gemeente" else self.regions
            words = m.group(2).split()
            for n in range(min(4, len(words)), 0, -1):
                key = " ".join(words[:n])
                if key in table:
                    return table[key], f"{m.group(1)} {key}"
        return None

    def find_in_name(self, name: str) -> tuple[str, str] | None:
        """A municipality or region name as words of a file name (longest wins)."""
        words = self.norm(name).split()
        for n in range(min(4, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                key = " ".join(words[i : i + n])
                if len(key) < 4 or key.isdigit():
                    continue
                if key in self.regions:
                    return self.regions[key], key
                if key in self.municipalities:
                    return self.municipalities[key], key
        return None


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
        for source, finder, text in (
            ("bestandsnaam", index.find_prefixed, name_text),
            ("eerste pagina's", index.find_prefixed, first_text),
            ("bestandsnaam", index.find_in_name, name_text),
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
            and not reader_title.lower().startswith(("microsoft word", "untitled", "document"))
        ):
            out.title = reader_title
            out.inferred["title"] = {
                "value": reader_title,
                "how": "documenteigenschappen of eerste kop",
            }
        else:
            out.title = " ".join(name_text.split())[:300] or file_name
            out.inferred["title"] = {"value": out.title, "how": "bestandsnaam"}
    return out
