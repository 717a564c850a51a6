"""The shipped catalogue (version 2025.08): counts, ids, aspects, terms, dependencies,
and agreement with the table of the guidance where ../shared/seeds is present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from weerbaar.catalog import PHASES, UNKNOWN_PHASE, load_catalog
from weerbaar.errors import UnknownMeasure

PILLAR_SIZES = {1: 7, 2: 8, 3: 10, 4: 7, 5: 6, 6: 3}
CRUCIAL = {"1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"}
CLEAN_SEED = "001_332136390dc8132e.txt"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_version_and_pillars(catalog) -> None:
    assert catalog.version == "2025.08"
    assert catalog.date.year == 2025 and catalog.date.month == 8
    assert "Handreiking weerbaarheid en veerkracht" in catalog.source
    assert {p.number: p.size for p in catalog.pillars} == PILLAR_SIZES
    assert catalog.pillar(2).authority == "burgemeester"
    assert catalog.pillar(1).bevoegd_gezag == "wethouder/gemeentesecretaris"
    assert all(catalog.pillar(n).authority == "wethouder" for n in (3, 4, 5, 6))


def test_41_measures_in_official_order(catalog) -> None:
    expected = [f"{p}.{n}" for p, size in PILLAR_SIZES.items() for n in range(1, size + 1)]
    assert len(expected) == 41
    assert catalog.ids() == expected
    for pillar, size in PILLAR_SIZES.items():
        assert len(catalog.select(pillar=pillar)) == size


def test_twelve_crucial(catalog) -> None:
    assert {m.id for m in catalog.crucial()} == CRUCIAL
    assert [m.id for m in catalog.select(crucial_only=True, pillar=3)] == ["3.1", "3.2"]


def test_every_measure_is_complete(catalog) -> None:
    for m in catalog.measures:
        assert 4 <= len(m.aspects) <= 10, m.id
        assert len({t.lower() for t in m.terms}) >= 5, m.id
        assert m.title and len(m.description.split()) >= 15, m.id
        assert m.responsible, m.id
        assert m.phases == [UNKNOWN_PHASE] or set(m.phases) <= set(PHASES), m.id
        assert m.phases == [UNKNOWN_PHASE] or m.phases == [p for p in PHASES if p in m.phases]
        for a in m.aspects:
            assert a.id.startswith(m.id + ".") and a.label and a.terms, a.id
        for dep in m.depends_on:
            assert catalog.has_measure(dep) and dep != m.id


def test_term_richness(catalog) -> None:
    counts = [len(m.terms) for m in catalog.measures]
    assert sum(counts) / len(counts) >= 10
    assert "meterkastkaart" in catalog.measure("5.2").terms
    assert "Denk vooruit" in catalog.measure("5.1").terms
    assert {"NCV", "crisisnoodlijn"} <= set(catalog.measure("2.3").terms)
    assert "DARES" in catalog.measure("2.6").terms
    assert {"GHOR", "Wmo"} <= set(catalog.measure("6.2").terms)
    assert {"BCM", "BIO"} <= set(catalog.measure("1.2").terms)
    assert "noodstroomaggregaat" in catalog.measure("3.1").terms


def test_key_dependencies(catalog) -> None:
    """A dependency is a prerequisite: noodsteunpunten (2.2) need power (3.1) and water
    (3.2), not the other way round."""
    dep = {m.id: set(m.depends_on) for m in catalog.measures}
    assert {"3.1", "3.2"} <= dep["2.2"]
    assert "2.2" not in dep["3.1"] and "2.2" not in dep["3.2"]
    assert "3.2" not in dep["3.1"] and "3.1" not in dep["3.2"]
    assert "2.2" in dep["5.2"]
    assert "3.1" in dep["2.3"]
    assert "2.2" in dep["2.7"]
    assert set(catalog.dependents("2.2")) >= {"5.2", "2.7"}


def test_dependency_graph_has_no_cycle(catalog) -> None:
    """Walk every path: no measure is (indirectly) its own prerequisite, so no warning can
    fire in both directions and the action plan can always put prerequisites first."""
    dep = {m.id: list(m.depends_on) for m in catalog.measures}

    def walk(mid: str, path: tuple[str, ...]) -> None:
        for d in dep[mid]:
            assert d not in path, f"kring: {' -> '.join((*path, d))}"
            walk(d, (*path, d))

    for mid in dep:
        walk(mid, (mid,))


def test_lookup(catalog) -> None:
    assert catalog.measure("2.2").title.startswith("Noodsteunpunten")
    assert catalog.measure(" 3.10 ").pillar == 3
    with pytest.raises(UnknownMeasure):
        catalog.measure("7.1")
    assert catalog.measure("2.2").aspect("2.2.c").label


def test_cached(catalog) -> None:
    assert load_catalog() is catalog
    assert load_catalog("2025.08") is catalog


def _source_rows(text: str) -> dict[str, list[str]]:
    """Measure rows of the clean seed: tab-separated number+text, phase, responsible, partner."""
    rows: dict[str, list[str]] = {}
    pillar = 0
    for line in text.splitlines():
        head = re.match(r"^\s*([1-6])\.\s+\S", line)
        if head and "\t" not in line and len(line) < 80:
            pillar = int(head.group(1))
            continue
        m = re.match(r"^\s*(?:<p>)?(\d+)\.\s", line)
        if m and line.count("\t") >= 2 and pillar:
            rows[f"{pillar}.{m.group(1)}"] = line.split("\t")
    return rows


def _parties(value: str) -> set[str]:
    value = value.replace("lenW", "IenW")
    return {p.strip().lower() for p in re.split(r",| en ", value) if p.strip()}


def test_agrees_with_the_table_of_the_guidance(seeds_dir: Path, catalog) -> None:
    rows = _source_rows((seeds_dir / CLEAN_SEED).read_text(encoding="utf-8"))
    assert sorted(rows) == sorted(catalog.ids())
    for mid, cols in rows.items():
        m = catalog.measure(mid)
        assert _parties(cols[2]) == {p.lower() for p in m.responsible}, mid
        symbols = [s for s in cols[1].split() if s in ("\u25cf", "<", ">")]
        if symbols:
            # phases readable from the source: one entry per symbol, in order
            assert len(m.phases) == len(symbols), mid
            assert ("warme fase < 72 uur" in m.phases) == ("<" in symbols), mid
            assert ("warme fase > 72 uur" in m.phases) == (">" in symbols), mid
        else:
            assert m.phases == [UNKNOWN_PHASE], mid
        partners = cols[3].strip()
        if partners and mid != "3.5":  # 3.5 names a future strategy, not an organisation
            assert _parties(partners) == {p.lower() for p in m.partners}, mid
