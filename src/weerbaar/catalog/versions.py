"""Loading, validating and versioning the measure catalogue.

Each version is one file ``maatregelen-<version>.yaml`` in the data folder (version
``JJJJ.MM``, e.g. ``2025.08``); several versions live side by side and the newest is the
default. A file ``mapping-<from>-to-<to>.yaml`` says how the numbers of one version map
to those of the next; numbers it does not mention stay the same::

    from_version: "2025.08"
    to_version: "2026.03"
    changes:
      - {kind: renumbered, from: "4.6", to: "4.7"}
      - {kind: split, from: "2.2", to: ["2.2", "2.9"]}
      - {kind: merged, from: ["3.9", "3.10"], to: "3.9"}
      - {kind: removed, from: "1.7"}
      - {kind: added, to: "6.4", note: "optional remark"}

Mappings are validated against both versions; ``map_measure_id`` follows a chain of
them, forwards or backwards.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from weerbaar.catalog.models import PHASES, UNKNOWN_PHASE, Catalog, Measure
from weerbaar.errors import CatalogError

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOG_PREFIX = "maatregelen-"
MAPPING_PREFIX = "mapping-"

MIN_ASPECTS, MAX_ASPECTS = 4, 10
MIN_TERMS = 5
CRUCIAL_PER_PILLAR = 2

_VERSION_RE = re.compile(r"^\d{4}\.\d{2}(?:[.-][0-9a-z]+)*$")
_MEASURE_RE = re.compile(r"^([1-9]\d?)\.([1-9]\d?)$")
_ASPECT_RE = re.compile(r"^([1-9]\d?\.[1-9]\d?)\.([a-z])$")
_MAPPING_RE = re.compile(r"^mapping-(.+)-to-(.+)\.ya?ml$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def _data_dir(data_dir: Path | None) -> Path:
    return Path(data_dir) if data_dir is not None else DATA_DIR


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key: numeric parts compare as numbers ("2026.10" after "2026.9")."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.-]", version))


def _catalog_files(data_dir: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    if not data_dir.is_dir():
        return files
    for path in sorted(data_dir.iterdir()):
        if path.name.startswith(CATALOG_PREFIX) and path.suffix in (".yaml", ".yml"):
            files[path.stem[len(CATALOG_PREFIX) :]] = path
    return files


def available_versions(data_dir: Path | None = None) -> list[str]:
    """The catalogue versions present, oldest first."""
    return sorted(_catalog_files(_data_dir(data_dir)), key=version_key)


_Model = TypeVar("_Model", bound=BaseModel)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # a safe loader
    except OSError as exc:
        raise CatalogError(f"Catalogusbestand {path.name} is niet te lezen: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CatalogError(f"Catalogusbestand {path.name} is geen geldige YAML: {exc}") from exc


def _load_model(path: Path, model: type[_Model], what: str, not_a_mapping: str) -> _Model:
    """The YAML file at ``path`` validated as ``model``; ``what`` names the file in errors."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise CatalogError(f"{what} {path.name} {not_a_mapping}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(f"{what} {path.name} is ongeldig: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(bestand)"
        parts.append(f"veld '{loc}': {err['msg']}")
    more = exc.error_count() - 5
    if more > 0:
        parts.append(f"en nog {more} fout(en)")
    return "; ".join(parts)


def validate_catalog(catalog: Catalog, name: str) -> None:
    """Check the rules a catalogue must obey; raise ``CatalogError`` naming ``name``."""

    def fail(problem: str) -> NoReturn:
        raise CatalogError(f"Catalogusbestand {name} is ongeldig: {problem}")

    _check_numbering(catalog, fail)
    known = {m.id for m in catalog.measures}
    for m in catalog.measures:
        _check_measure(m, known, fail)


def _check_numbering(catalog: Catalog, fail: Callable[[str], NoReturn]) -> None:
    """Version, pillars 1..n, measure ids of the form pillar.number, each pillar's size,
    and the measures in official order without gaps."""
    if not _VERSION_RE.match(catalog.version):
        fail(f"versie {catalog.version!r} heeft niet de vorm JJJJ.MM")
    if not catalog.pillars:
        fail("er zijn geen pijlers")
    pillar_numbers = [p.number for p in catalog.pillars]
    if pillar_numbers != list(range(1, len(pillar_numbers) + 1)):
        fail(f"pijlers moeten 1 t/m {len(pillar_numbers)} heten, gevonden: {pillar_numbers}")

    ids = [m.id for m in catalog.measures]
    dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
    if dupes:
        fail(f"dubbele maatregelnummers: {', '.join(dupes)}")
    for m in catalog.measures:
        match = _MEASURE_RE.match(m.id)
        if not match:
            fail(f"maatregelnummer {m.id!r} heeft niet de vorm pijler.nummer (bijv. 2.2)")
        if int(match.group(1)) != m.pillar:
            fail(f"maatregel {m.id} staat bij pijler {m.pillar}")
        if m.pillar not in pillar_numbers:
            fail(f"maatregel {m.id} hoort bij onbekende pijler {m.pillar}")

    expected_order = []
    for pillar in catalog.pillars:
        numbers = [m.number for m in catalog.measures if m.pillar == pillar.number]
        if len(numbers) != pillar.size:
            fail(
                f"pijler {pillar.number} ({pillar.name}) heeft {len(numbers)} maatregelen, "
                f"verwacht {pillar.size}"
            )
        expected_order += [f"{pillar.number}.{n}" for n in range(1, pillar.size + 1)]
    if ids != expected_order:
        fail("maatregelen staan niet in officiële volgorde of de nummering heeft gaten")


def _check_measure(m: Measure, known: set[str], fail: Callable[[str], NoReturn]) -> None:
    """One measure: text, responsible party, phases, crucial flag, aspects, search terms
    and dependencies on known measures."""
    where = f"maatregel {m.id}"
    if not m.title.strip() or not m.description.strip():
        fail(f"{where} heeft geen titel of omschrijving")
    if not m.responsible:
        fail(f"{where} heeft geen eindverantwoordelijke partij")
    if m.phases == [UNKNOWN_PHASE]:
        pass
    elif not m.phases:
        fail(f"{where} heeft geen fasen (gebruik ['{UNKNOWN_PHASE}'] als ze onbekend zijn)")
    else:
        bad = [p for p in m.phases if p not in PHASES]
        if bad:
            fail(f"{where} heeft onbekende fase(n) {bad}; toegestaan: {list(PHASES)}")
        if len(set(m.phases)) != len(m.phases):
            fail(f"{where} noemt een fase dubbel")
    should_be_crucial = m.number <= CRUCIAL_PER_PILLAR
    if m.crucial != should_be_crucial:
        fail(
            f"{where}: 'crucial' moet {str(should_be_crucial).lower()} zijn "
            f"(de eerste {CRUCIAL_PER_PILLAR} van elke pijler zijn het meest cruciaal)"
        )
    if not MIN_ASPECTS <= len(m.aspects) <= MAX_ASPECTS:
        fail(f"{where} heeft {len(m.aspects)} aspecten, verwacht {MIN_ASPECTS}-{MAX_ASPECTS}")
    aspect_ids = [a.id for a in m.aspects]
    if len(set(aspect_ids)) != len(aspect_ids):
        fail(f"{where} heeft dubbele aspectnummers")
    for a in m.aspects:
        am = _ASPECT_RE.match(a.id)
        if not am or am.group(1) != m.id:
            fail(f"aspect {a.id!r} van {where} heeft niet de vorm {m.id}.a")
        if not a.label.strip() or not a.terms:
            fail(f"aspect {a.id} heeft geen label of geen zoektermen")
    terms = [t.strip().lower() for t in m.terms]
    if len(set(terms)) < MIN_TERMS or any(not t for t in terms):
        fail(f"{where} heeft minder dan {MIN_TERMS} verschillende zoektermen")
    for dep in m.depends_on:
        if dep == m.id:
            fail(f"{where} hangt van zichzelf af")
        if dep not in known:
            fail(f"{where} hangt af van onbekende maatregel {dep!r}")


def _parse_catalog(path: Path) -> Catalog:
    catalog = _load_model(path, Catalog, "Catalogusbestand", "bevat geen catalogus (geen mapping).")
    validate_catalog(catalog, path.name)
    expected = path.stem[len(CATALOG_PREFIX) :]
    if catalog.version != expected:
        raise CatalogError(
            f"Catalogusbestand {path.name} is ongeldig: de versie in het bestand "
            f"({catalog.version}) komt niet overeen met de bestandsnaam ({expected})"
        )
    return catalog


@lru_cache(maxsize=32)
def _load_cached(path: Path, mtime_ns: int) -> Catalog:
    return _parse_catalog(path)


def catalog_path(version: str | None = None, data_dir: Path | None = None) -> Path:
    """The file of a catalogue version (newest when ``version`` is None)."""
    folder = _data_dir(data_dir)
    files = _catalog_files(folder)
    if not files:
        raise CatalogError(f"Geen catalogusbestanden ({CATALOG_PREFIX}*.yaml) gevonden in {folder}")
    if version is None:
        version = max(files, key=version_key)
    if version not in files:
        known = ", ".join(sorted(files, key=version_key))
        raise CatalogError(f"Catalogusversie {version!r} bestaat niet (beschikbaar: {known})")
    return files[version]


def load_catalog(version: str | None = None, data_dir: Path | None = None) -> Catalog:
    """Load and validate one catalogue version (newest by default); cached per file."""
    path = catalog_path(version, data_dir)
    return _load_cached(path, path.stat().st_mtime_ns)


def clear_cache() -> None:
    _load_cached.cache_clear()
    _load_mapping_cached.cache_clear()


# --- mappings between versions ------------------------------------------------------

CHANGE_KINDS = ("renumbered", "split", "merged", "removed", "added", "unchanged")


class MappingChange(BaseModel):
    """One line of a mapping: which old numbers become which new numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    kind: str
    old: list[str] = Field(default_factory=list, alias="from")
    new: list[str] = Field(default_factory=list, alias="to")
    note: str | None = None

    @field_validator("old", "new", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str | int | float):
            return [str(value)]
        return value


class VersionMapping(BaseModel):
    """How measure numbers of ``from_version`` map to ``to_version``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    from_version: str
    to_version: str
    changes: list[MappingChange] = Field(default_factory=list)

    def forward(self, measure_id: str) -> list[str]:
        hits = [c for c in self.changes if measure_id in c.old]
        if not hits:
            return [measure_id]
        out: list[str] = []
        for change in hits:
            out += [n for n in change.new if n not in out]
        return out

    def backward(self, measure_id: str) -> list[str]:
        hits = [c for c in self.changes if measure_id in c.new]
        if not hits:
            return [measure_id]
        out: list[str] = []
        for change in hits:
            out += [o for o in change.old if o not in out]
        return out


def _validate_mapping(mapping: VersionMapping, name: str, data_dir: Path) -> None:
    def fail(problem: str) -> NoReturn:
        raise CatalogError(f"Mappingbestand {name} is ongeldig: {problem}")

    src = load_catalog(mapping.from_version, data_dir)
    dst = load_catalog(mapping.to_version, data_dir)
    old_seen: set[str] = set()
    for i, change in enumerate(mapping.changes, 1):
        if change.kind not in CHANGE_KINDS:
            fail(f"wijziging {i}: soort {change.kind!r} onbekend (toegestaan: {CHANGE_KINDS})")
        want_old = change.kind != "added"
        want_new = change.kind != "removed"
        if bool(change.old) != want_old or bool(change.new) != want_new:
            fail(f"wijziging {i} ({change.kind}) heeft een verkeerd aantal 'from'/'to'-nummers")
        if change.kind in ("renumbered", "unchanged") and (len(change.old), len(change.new)) != (
            1,
            1,
        ):
            fail(f"wijziging {i} ({change.kind}) moet precies één oud en één nieuw nummer hebben")
        if change.kind == "split" and len(change.new) < 2:
            fail(f"wijziging {i}: een splitsing heeft minstens twee nieuwe nummers nodig")
        if change.kind == "merged" and len(change.old) < 2:
            fail(f"wijziging {i}: een samenvoeging heeft minstens twee oude nummers nodig")
        for old in change.old:
            if not src.has_measure(old):
                fail(f"wijziging {i}: maatregel {old} bestaat niet in versie {src.version}")
            if change.kind != "merged" and old in old_seen:
                fail(f"maatregel {old} komt in meer dan één wijziging voor")
            old_seen.add(old)
        for new in change.new:
            if not dst.has_measure(new):
                fail(f"wijziging {i}: maatregel {new} bestaat niet in versie {dst.version}")
    for old in src.ids():
        if old not in old_seen and not dst.has_measure(old):
            fail(f"maatregel {old} verdwijnt in versie {dst.version} maar staat niet in de mapping")


def _parse_mapping(path: Path) -> VersionMapping:
    mapping = _load_model(path, VersionMapping, "Mappingbestand", "bevat geen mapping.")
    m = _MAPPING_RE.match(path.name)
    if not m or (m.group(1), m.group(2)) != (mapping.from_version, mapping.to_version):
        raise CatalogError(
            f"Mappingbestand {path.name} is ongeldig: de naam moet "
            f"mapping-{mapping.from_version}-to-{mapping.to_version}.yaml zijn"
        )
    _validate_mapping(mapping, path.name, path.parent)
    return mapping


@lru_cache(maxsize=32)
def _load_mapping_cached(path: Path, mtime_ns: int) -> VersionMapping:
    return _parse_mapping(path)


def load_mappings(data_dir: Path | None = None) -> list[VersionMapping]:
    """All mapping files in the data folder, validated against both versions."""
    folder = _data_dir(data_dir)
    if not folder.is_dir():
        return []
    return [
        _load_mapping_cached(p, p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.name.startswith(MAPPING_PREFIX) and p.suffix in (".yaml", ".yml")
    ]


def map_measure_id(
    measure_id: str, from_version: str, to_version: str, data_dir: Path | None = None
) -> list[str]:
    """The number(s) in ``to_version`` of measure ``measure_id`` of ``from_version``.

    Follows the chain of mapping files (forwards or backwards); numbers not named in a
    mapping stay the same. Returns ``[]`` when the measure was removed on the way."""
    src = load_catalog(from_version, data_dir)
    load_catalog(to_version, data_dir)
    src.measure(measure_id)  # raises UnknownMeasure
    if from_version == to_version:
        return [measure_id]
    edges: dict[str, list[tuple[str, VersionMapping, bool]]] = {}
    for mp in load_mappings(data_dir):
        edges.setdefault(mp.from_version, []).append((mp.to_version, mp, True))
        edges.setdefault(mp.to_version, []).append((mp.from_version, mp, False))
    # breadth-first search for the shortest chain of mappings
    prev: dict[str, tuple[str, VersionMapping, bool]] = {}
    queue, seen = deque([from_version]), {from_version}
    while queue:
        here = queue.popleft()
        for there, mp, fwd in edges.get(here, []):
            if there not in seen:
                seen.add(there)
                prev[there] = (here, mp, fwd)
                queue.append(there)
    if to_version not in seen:
        raise CatalogError(
            f"Geen mapping gevonden van catalogusversie {from_version} naar {to_version}"
        )
    steps = []
    node = to_version
    while node != from_version:
        here, mp, fwd = prev[node]
        steps.append((mp, fwd))
        node = here
    ids = [measure_id]
    for mp, fwd in reversed(steps):
        nxt: list[str] = []
        for i in ids:
            for j in mp.forward(i) if fwd else mp.backward(i):
                if j not in nxt:
                    nxt.append(j)
        ids = nxt
    return ids
