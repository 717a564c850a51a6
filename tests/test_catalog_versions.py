"""Several catalogue versions side by side and mappings between their numbers, proven
with synthetic later versions derived from the real file in a temporary folder."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from weerbaar.catalog import available_versions, load_catalog, map_measure_id
from weerbaar.catalog.versions import DATA_DIR, load_mappings, version_key
from weerbaar.errors import CatalogError, UnknownMeasure

REAL = DATA_DIR / "maatregelen-2025.08.yaml"


def _dump(path: Path, data: Any) -> None:
    path.write_text(
        yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


def _renumber(measure: dict[str, Any], new_id: str) -> dict[str, Any]:
    m = copy.deepcopy(measure)
    m["id"] = new_id
    m["pillar"] = int(new_id.split(".")[0])
    m["crucial"] = int(new_id.split(".")[1]) <= 2
    for letter, aspect in zip("abcdefghij", m["aspects"], strict=False):
        aspect["id"] = f"{new_id}.{letter}"
    return m


def _next_version(old: dict[str, Any], version: str, plan: dict[str, list[str]]) -> dict:
    """Build a new version: ``plan`` maps each old id to its new id(s) ([] = removed)."""
    new = copy.deepcopy(old)
    new["version"] = version
    new["date"] = f"{version[:4]}-{version[5:7]}-01"
    measures: dict[str, dict] = {}
    for m in old["measures"]:
        for new_id in plan.get(m["id"], [m["id"]]):
            measures.setdefault(new_id, _renumber(m, new_id))
    for m in measures.values():
        deps = []
        for d in m["depends_on"]:
            deps += [x for x in plan.get(d, [d]) if x != m["id"] and x not in deps]
        m["depends_on"] = deps
    order = sorted(measures, key=lambda i: tuple(int(p) for p in i.split(".")))
    new["measures"] = [measures[i] for i in order]
    for pillar in new["pillars"]:
        pillar["size"] = sum(1 for i in order if i.startswith(f"{pillar['number']}."))
    return new


@pytest.fixture
def three_versions(tmp_path: Path) -> Path:
    """2025.08 (real), 2026.03 (renumbered/split/merged/removed/added), 2027.01."""
    old = yaml.load(REAL.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    _dump(tmp_path / REAL.name, old)
    plan = {
        "1.7": [],  # removed
        "2.2": ["2.2", "2.9"],  # split
        "3.10": ["3.9"],  # merged with 3.9
        "4.6": ["4.7"],  # swapped
        "4.7": ["4.6"],
    }
    v2 = _next_version(old, "2026.03", plan)
    added = _renumber(v2["measures"][-1], "6.4")  # a new measure
    added["title"] = "Nieuwe maatregel over uitvaartlogistiek"
    added["depends_on"] = []
    v2["measures"].append(added)
    v2["pillars"][5]["size"] = 4
    _dump(tmp_path / "maatregelen-2026.03.yaml", v2)
    _dump(
        tmp_path / "mapping-2025.08-to-2026.03.yaml",
        {
            "from_version": "2025.08",
            "to_version": "2026.03",
            "changes": [
                {"kind": "removed", "from": "1.7"},
                {"kind": "split", "from": "2.2", "to": ["2.2", "2.9"]},
                {"kind": "merged", "from": ["3.9", "3.10"], "to": "3.9"},
                {"kind": "renumbered", "from": "4.6", "to": "4.7"},
                {"kind": "renumbered", "from": "4.7", "to": "4.6"},
                {"kind": "added", "to": "6.4", "note": "nieuw in 2026"},
            ],
        },
    )
    v3 = _next_version(v2, "2027.01", {"5.5": ["5.6"], "5.6": ["5.5"]})
    _dump(tmp_path / "maatregelen-2027.01.yaml", v3)
    _dump(
        tmp_path / "mapping-2026.03-to-2027.01.yaml",
        {
            "from_version": "2026.03",
            "to_version": "2027.01",
            "changes": [
                {"kind": "renumbered", "from": "5.5", "to": "5.6"},
                {"kind": "renumbered", "from": "5.6", "to": "5.5"},
            ],
        },
    )
    return tmp_path


def test_real_data_has_one_version() -> None:
    assert available_versions() == ["2025.08"]
    assert load_catalog().version == "2025.08"
    assert load_mappings() == []
    assert map_measure_id("2.2", "2025.08", "2025.08") == ["2.2"]


def test_versions_side_by_side(three_versions: Path) -> None:
    assert available_versions(three_versions) == ["2025.08", "2026.03", "2027.01"]
    newest = load_catalog(data_dir=three_versions)
    assert newest.version == "2027.01"
    v2 = load_catalog("2026.03", data_dir=three_versions)
    v1 = load_catalog("2025.08", data_dir=three_versions)
    # -1.7, +2.9 (split), -3.10 (merged), +6.4 (added)
    assert set(v2.ids()) - set(v1.ids()) == {"2.9", "6.4"}
    assert set(v1.ids()) - set(v2.ids()) == {"1.7", "3.10"}
    assert [p.size for p in v2.pillars] == [6, 9, 9, 7, 6, 4]
    assert v2.measure("2.9").title == v1.measure("2.2").title
    assert not v2.has_measure("3.10")
    assert v1.measure("3.10").pillar == 3  # the old version stays intact


def test_map_forward(three_versions: Path) -> None:
    def fwd(i: str) -> list[str]:
        return map_measure_id(i, "2025.08", "2026.03", data_dir=three_versions)

    assert fwd("1.1") == ["1.1"]  # unchanged
    assert fwd("1.7") == []  # removed
    assert fwd("2.2") == ["2.2", "2.9"]  # split
    assert fwd("3.9") == ["3.9"] and fwd("3.10") == ["3.9"]  # merged
    assert fwd("4.6") == ["4.7"] and fwd("4.7") == ["4.6"]  # renumbered


def test_map_backward_and_chained(three_versions: Path) -> None:
    def back(i: str) -> list[str]:
        return map_measure_id(i, "2026.03", "2025.08", data_dir=three_versions)

    assert back("2.9") == ["2.2"]
    assert back("3.9") == ["3.9", "3.10"]
    assert back("6.4") == []  # new measure, no predecessor
    assert back("4.7") == ["4.6"]
    # two steps: 2025.08 -> 2026.03 -> 2027.01
    assert map_measure_id("5.5", "2025.08", "2027.01", data_dir=three_versions) == ["5.6"]
    assert map_measure_id("4.6", "2025.08", "2027.01", data_dir=three_versions) == ["4.7"]
    assert map_measure_id("5.6", "2027.01", "2025.08", data_dir=three_versions) == ["5.5"]


def test_map_errors(three_versions: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownMeasure):
        map_measure_id("9.1", "2025.08", "2026.03", data_dir=three_versions)
    (three_versions / "mapping-2026.03-to-2027.01.yaml").unlink()
    with pytest.raises(CatalogError, match="Geen mapping"):
        map_measure_id("1.1", "2025.08", "2027.01", data_dir=three_versions)


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ([{"kind": "split", "from": "2.2", "to": ["2.2", "2.19"]}], "2.19 bestaat niet"),
        ([{"kind": "renumbered", "from": "8.1", "to": "1.1"}], "8.1 bestaat niet"),
        ([{"kind": "verplaatst", "from": "1.1", "to": "1.1"}], "verplaatst"),
        ([{"kind": "removed", "from": "1.7", "to": "1.6"}], "verkeerd aantal"),
        ([{"kind": "split", "from": "2.2", "to": ["2.9"]}], "minstens twee"),
        ([], "1.7 verdwijnt"),
    ],
)
def test_broken_mappings_are_rejected(three_versions: Path, changes, needle) -> None:
    path = three_versions / "mapping-2025.08-to-2026.03.yaml"
    _dump(path, {"from_version": "2025.08", "to_version": "2026.03", "changes": changes})
    with pytest.raises(CatalogError) as info:
        map_measure_id("1.1", "2025.08", "2026.03", data_dir=three_versions)
    assert path.name in str(info.value) and needle in str(info.value)


def test_mapping_name_must_match(three_versions: Path) -> None:
    path = three_versions / "mapping-2025.08-to-2026.03.yaml"
    path.rename(three_versions / "mapping-2025.08-to-2027.01.yaml")
    with pytest.raises(CatalogError, match="naam moet"):
        load_mappings(three_versions)


def test_version_key_orders_numerically() -> None:
    versions = ["2026.10", "2025.08", "2026.03", "2026.03-1"]
    assert sorted(versions, key=version_key) == ["2025.08", "2026.03", "2026.03-1", "2026.10"]
