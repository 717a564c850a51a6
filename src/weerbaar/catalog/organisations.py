"""The register of organisations: the 25 safety regions and their municipalities.

The register ships as ``catalog/data/organisaties-<year>.yaml``. It records the reference
date of the municipal division, its source, and the municipal mergers (former codes map
to the new municipality from the merger date), so that documents and scores from before a
merger are still attributed to the right municipality.

Look-ups are tolerant: case, accents, apostrophes, hyphens, the words "gemeente" and
"veiligheidsregio", the CBS province suffixes ("Bergen NH" for "Bergen (NH.)"), common
names ("Den Haag", "Den Bosch"), codes with or without prefix and leading zeros, and the
names and codes of municipalities that have merged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from weerbaar.errors import CatalogError, UnknownOrganisation

OrganisationType = Literal["gemeente", "veiligheidsregio", "overig"]

MUNICIPALITY = "gemeente"
REGION = "veiligheidsregio"
REGISTER_PATTERN = re.compile(r"^organisaties-(\d{4})\.ya?ml$")

_CODE_GM = re.compile(r"^(?:gm)?\s*(\d{1,4})$")
_CODE_VR = re.compile(r"^vr\s*(\d{1,2})$")
_PREFIXES_MUNICIPALITY = ("gemeente ", "gem ")
_PREFIXES_REGION = ("veiligheidsregio ", "vr ")


@dataclass(frozen=True)
class Organisation:
    """A municipality or safety region (or another organisation known to a workspace).

    ``former_codes`` lists the codes of municipalities that merged into this one;
    ``dissolved_on`` and ``successor`` are set on a former municipality (returned by
    :meth:`Register.lookup` with a date before its merger)."""

    code: str
    name: str
    type: str
    region_code: str | None = None
    aliases: tuple[str, ...] = ()
    former_codes: tuple[str, ...] = ()
    fictional: bool = False
    dissolved_on: date | None = None
    successor: str | None = None

    @property
    def is_municipality(self) -> bool:
        return self.type == MUNICIPALITY

    @property
    def is_region(self) -> bool:
        return self.type == REGION

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; ``region`` is the region code (for a region: its own code)."""
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        data["former_codes"] = list(self.former_codes)
        data["dissolved_on"] = self.dissolved_on.isoformat() if self.dissolved_on else None
        data["region"] = self.code if self.type == REGION else self.region_code
        return data


@dataclass(frozen=True)
class Merger:
    """Municipalities ``former`` (code, name) became part of ``into`` on ``date``."""

    date: date
    into: str
    name: str
    former: tuple[tuple[str, str], ...]


def normalise_name(text: str) -> str:
    """Lower case, no accents, apostrophes, dots, brackets or hyphens; single spaces."""
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():  # drop the combining marks (tested once per distinct character)
        marks = {ord(c): None for c in set(text) if unicodedata.combining(c)}
        if marks:
            text = text.translate(marks)
    text = text.casefold()
    text = re.sub(r"['’‘`´]", "", text)
    text = re.sub(r"[-‐‑–—_/.,()]+", " ", text)
    return " ".join(text.split())


def normalise_code(text: str) -> str | None:
    """``GM0363`` for "gm363", "0363", "GM 0363"; ``VR06`` for "vr6"; else None."""
    key = "".join(text.split()).casefold()
    if m := _CODE_GM.match(key):
        return f"GM{int(m.group(1)):04d}"
    if m := _CODE_VR.match(key):
        return f"VR{int(m.group(1)):02d}"
    return None


def _name_keys(name: str) -> set[str]:
    """Normalised keys for a name: as written, and without a province suffix in brackets."""
    keys = {normalise_name(name)}
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", name)
    if bare != name:
        keys.add(normalise_name(bare))
    # "'s-Gravenhage" is also typed "s Gravenhage" or "Gravenhage".
    for key in list(keys):
        if key.startswith("s "):
            keys.add(key[2:])
    return keys


class Register:
    """The safety regions, their municipalities and the municipal mergers."""

    def __init__(
        self,
        *,
        id: str,
        reference_date: date,
        source: str,
        regions: list[Organisation],
        municipalities: list[Organisation],
        mergers: list[Merger],
    ) -> None:
        self.id = id
        self.reference_date = reference_date
        self.source = source
        self.mergers = mergers
        self._regions = {o.code: o for o in regions}
        self._municipalities = {o.code: o for o in municipalities}
        self._former: dict[str, tuple[Organisation, Merger]] = {}
        for merger in mergers:
            for code, name in merger.former:
                self._former[code] = (
                    Organisation(
                        code=code,
                        name=name,
                        type=MUNICIPALITY,
                        region_code=self._municipalities[merger.into].region_code,
                        dissolved_on=merger.date,
                        successor=merger.into,
                    ),
                    merger,
                )
        self._keys: dict[str, set[str]] = {}
        self._region_keys: dict[str, set[str]] = {}
        for org in municipalities:
            for label in (org.name, *org.aliases):
                for key in _name_keys(label):
                    self._keys.setdefault(key, set()).add(org.code)
        for former, _merger in self._former.values():
            for key in _name_keys(former.name):
                # A current municipality of the same name wins over a former one.
                self._keys.setdefault(key, set()).add(former.code)
        for org in regions:
            for label in (org.name, *org.aliases):
                for key in _name_keys(label):
                    self._region_keys.setdefault(key, set()).add(org.code)

    # ------------------------------------------------------------------ listing
    def regions(self) -> list[Organisation]:
        """The safety regions, by code (VR01..VR25)."""
        return sorted(self._regions.values(), key=lambda o: o.code)

    def municipalities(self, region_code: str | None = None) -> list[Organisation]:
        """Current municipalities (of one region when given), by name."""
        if region_code is not None:
            region = self.get(region_code)
            if not region.is_region:
                raise UnknownOrganisation(region_code)
            region_code = region.code
        found = [
            o
            for o in self._municipalities.values()
            if region_code is None or o.region_code == region_code
        ]
        return sorted(found, key=lambda o: _sort_key(o.name))

    def all(self) -> list[Organisation]:
        """Regions first, then every municipality."""
        return self.regions() + self.municipalities()

    def __len__(self) -> int:
        return len(self._regions) + len(self._municipalities)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and (code in self._regions or code in self._municipalities)

    # ------------------------------------------------------------------ look-ups
    def former_names(self) -> list[tuple[str, str]]:
        """(name of a former municipality, code of its current successor)."""
        return [(org.name, self.get(code).code) for code, (org, _m) in self._former.items()]

    def get(self, code: str) -> Organisation:
        """The current organisation with this code (former codes give their successor)."""
        norm = normalise_code(code) or code.strip().upper()
        if norm in self._regions:
            return self._regions[norm]
        if norm in self._municipalities:
            return self._municipalities[norm]
        if norm in self._former:
            return self._municipalities[self._former[norm][1].into]
        raise UnknownOrganisation(code, self.suggest(code))

    def region_of(self, code: str) -> Organisation:
        """The safety region of a municipality (a region is its own region)."""
        org = self.get(code)
        if org.is_region:
            return org
        if org.region_code is None or org.region_code not in self._regions:
            raise UnknownOrganisation(code)
        return self._regions[org.region_code]

    def successor(self, code: str, on_date: date | None = None) -> str:
        """The code that ``code`` stands for on ``on_date`` (default: today)."""
        return self.lookup(code, on_date=on_date).code

    def lookup(self, name_or_code: str, on_date: date | None = None) -> Organisation:
        """Find an organisation by code or (tolerant) name.

        A former municipality gives its successor, unless ``on_date`` lies before the
        merger: then the former municipality itself (with ``dissolved_on`` and
        ``successor`` set). Raises :class:`UnknownOrganisation` with suggestions."""
        query = name_or_code.strip()
        if not query:
            raise UnknownOrganisation(name_or_code)
        code = normalise_code(query)
        if code is not None:
            return self._resolve_code(code, on_date, name_or_code)
        key = normalise_name(query)
        wants_region = False
        for prefix in _PREFIXES_REGION:
            if key.startswith(prefix):
                key, wants_region = key[len(prefix) :], True
                break
        else:
            for prefix in _PREFIXES_MUNICIPALITY:
                if key.startswith(prefix):
                    key = key[len(prefix) :]
                    break
        if wants_region:
            codes = self._region_keys.get(key, set())
            if not codes:  # "VR NHN", "VR-BZO": the abbreviation written apart
                codes = self._region_keys.get("vr" + key.replace(" ", ""), set())
        else:
            codes = self._keys.get(key, set())
            # Prefer current municipalities over former ones with the same name.
            current = {c for c in codes if c in self._municipalities}
            if current and len(codes) > len(current):
                codes = current if on_date is None else codes
            if not codes:
                codes = self._region_keys.get(key, set())
        if len(codes) == 1:
            return self._resolve_code(next(iter(codes)), on_date, name_or_code)
        if len(codes) > 1:
            if on_date is not None:
                live = [c for c in codes if self._exists_on(c, on_date)]
                if len(live) == 1:
                    return self._resolve_code(live[0], on_date, name_or_code)
            names = sorted(self._name_of(c) for c in codes)
            raise UnknownOrganisation(name_or_code, names)
        raise UnknownOrganisation(name_or_code, self.suggest(query))

    def _exists_on(self, code: str, on_date: date) -> bool:
        if code in self._former:
            return on_date < self._former[code][1].date
        return True

    def _name_of(self, code: str) -> str:
        if code in self._former:
            return self._former[code][0].name
        return self.get(code).name

    def _resolve_code(self, code: str, on_date: date | None, query: str) -> Organisation:
        if code in self._regions:
            return self._regions[code]
        if code in self._municipalities:
            return self._municipalities[code]
        if code in self._former:
            former, merger = self._former[code]
            if on_date is not None and on_date < merger.date:
                return former
            return self._municipalities[merger.into]
        raise UnknownOrganisation(query, self.suggest(query))

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` names that look like ``query``."""
        from rapidfuzz import fuzz, process

        names: dict[str, str] = {}
        for org in self.all():
            names.setdefault(normalise_name(org.name), org.name)
            for alias in org.aliases:
                names.setdefault(normalise_name(alias), org.name)
        key = normalise_name(query)
        for prefix in (*_PREFIXES_REGION, *_PREFIXES_MUNICIPALITY):
            if key.startswith(prefix):
                key = key[len(prefix) :]
        if not key:
            return []
        hits = process.extract(key, list(names), scorer=fuzz.WRatio, limit=limit * 3)
        out: list[str] = []
        for hit, score, _ in hits:
            name = names[hit]
            if score >= 70 and name not in out:
                out.append(name)
        return out[:limit]


def _sort_key(name: str) -> str:
    key = normalise_name(name)
    return key[2:] if key.startswith("s ") else key


# ---------------------------------------------------------------------- loading
def available_registers() -> dict[int, str]:
    """Year -> file name of each register data file shipped with the package."""
    data = resources.files("weerbaar.catalog") / "data"
    found: dict[int, str] = {}
    for entry in data.iterdir():
        if m := REGISTER_PATTERN.match(entry.name):
            found[int(m.group(1))] = entry.name
    return found


@lru_cache(maxsize=4)
def load_register(year: int | None = None) -> Register:
    """The register shipped with the package: the newest one, or the one of ``year``."""
    files = available_registers()
    if not files:
        raise CatalogError("Geen register van organisaties gevonden in het pakket.")
    if year is None:
        year = max(files)
    if year not in files:
        raise CatalogError(
            f"Geen register van organisaties voor {year}; beschikbaar: "
            + ", ".join(str(y) for y in sorted(files))
        )
    text = (resources.files("weerbaar.catalog") / "data" / files[year]).read_text("utf-8")
    # libyaml's safe loader when PyYAML has it (ten times faster; the same result)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return parse_register(yaml.load(text, Loader=loader), files[year])


def parse_register(data: Any, source_name: str = "register") -> Register:
    """Validate and build a :class:`Register` from the parsed data file."""

    def fail(msg: str) -> CatalogError:
        return CatalogError(f"Register {source_name} is ongeldig: {msg}")

    if not isinstance(data, dict) or data.get("format") != 1:
        raise fail("onbekend formaat (verwacht 'format: 1').")
    for key in ("id", "reference_date", "source", "regions"):
        if key not in data:
            raise fail(f"veld '{key}' ontbreekt.")
    ref = data["reference_date"]
    if not isinstance(ref, date):
        raise fail("reference_date is geen datum.")
    seen: set[str] = set()
    regions, municipalities = _parse_regions(data["regions"], fail, seen)
    by_code = {m.code: m for m in municipalities}
    mergers = [_parse_merger(item, fail, seen, by_code) for item in data.get("mergers") or []]
    former_of: dict[str, list[str]] = {}
    for merger in mergers:
        former_of.setdefault(merger.into, []).extend(code for code, _ in merger.former)
    municipalities = [
        replace(m, former_codes=tuple(former_of.get(m.code, ()))) for m in municipalities
    ]
    return Register(
        id=str(data["id"]),
        reference_date=ref,
        source=" ".join(str(data["source"]).split()),
        regions=regions,
        municipalities=municipalities,
        mergers=sorted(mergers, key=lambda m: (m.date, m.into)),
    )


def _claim(code: str, seen: set[str], fail: Callable[[str], CatalogError]) -> None:
    """Each code (also a former one) may occur once in the register."""
    if code in seen:
        raise fail(f"code {code} komt twee keer voor.")
    seen.add(code)


def _parse_regions(
    items: Any, fail: Callable[[str], CatalogError], seen: set[str]
) -> tuple[list[Organisation], list[Organisation]]:
    """The regions and their municipalities, in the order of the file."""
    regions: list[Organisation] = []
    municipalities: list[Organisation] = []
    for item in items:
        code = str(item.get("code", ""))
        if not re.fullmatch(r"VR\d{2}", code):
            raise fail(f"ongeldige regiocode {code!r}.")
        _claim(code, seen, fail)
        munis = item.get("municipalities") or []
        if not munis:
            raise fail(f"regio {code} heeft geen gemeenten.")
        regions.append(
            Organisation(
                code=code,
                name=str(item["name"]),
                type=REGION,
                aliases=tuple(str(a) for a in item.get("aliases", ())),
            )
        )
        for m in munis:
            mcode = str(m.get("code", ""))
            if not re.fullmatch(r"GM\d{4}", mcode):
                raise fail(f"ongeldige gemeentecode {mcode!r}.")
            _claim(mcode, seen, fail)
            municipalities.append(
                Organisation(
                    code=mcode,
                    name=str(m["name"]),
                    type=MUNICIPALITY,
                    region_code=code,
                    aliases=tuple(str(a) for a in m.get("aliases", ())),
                )
            )
    return regions, municipalities


def _parse_merger(
    item: Any,
    fail: Callable[[str], CatalogError],
    seen: set[str],
    by_code: dict[str, Organisation],
) -> Merger:
    into = str(item.get("into", ""))
    when = item.get("date")
    if into not in by_code:
        raise fail(f"fusie naar onbekende gemeente {into!r}.")
    if not isinstance(when, date):
        raise fail(f"fusie naar {into} heeft geen geldige datum.")
    former = tuple((str(f["code"]), str(f["name"])) for f in item.get("former") or [])
    if not former:
        raise fail(f"fusie naar {into} noemt geen oude gemeenten.")
    for fcode, _ in former:
        if fcode in seen:
            raise fail(f"oude code {fcode} komt al voor in het register.")
        seen.add(fcode)
    return Merger(date=when, into=into, name=str(item.get("name", "")), former=former)


__all__ = [
    "MUNICIPALITY",
    "REGION",
    "Merger",
    "Organisation",
    "Register",
    "available_registers",
    "load_register",
    "normalise_code",
    "normalise_name",
    "parse_register",
]
