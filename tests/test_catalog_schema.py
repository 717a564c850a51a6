"""Validation on load: broken variants of the real catalogue file are rejected with a
Dutch CatalogError that names the file and the problem."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from weerbaar.catalog import load_catalog
from weerbaar.catalog.versions import DATA_DIR
from weerbaar.errors import CatalogError, WeerbaarError

REAL = DATA_DIR / "maatregelen-2025.08.yaml"
NAME = "maatregelen-2025.08.yaml"


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(REAL.read_text(encoding="utf-8"))


def _measure(data: dict[str, Any], mid: str) -> dict[str, Any]:
    return next(m for m in data["measures"] if m["id"] == mid)


def _write(folder: Path, data: Any, name: str = NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


def test_unchanged_copy_loads(tmp_path: Path, raw) -> None:
    _write(tmp_path, raw)
    assert len(load_catalog(data_dir=tmp_path).measures) == 41


def _dup_id(d):
    _measure(d, "1.2")["id"] = "1.1"


def _bad_id(d):
    _measure(d, "1.2")["id"] = "1-2"


def _wrong_pillar(d):
    _measure(d, "1.2")["pillar"] = 2


def _drop_measure(d):
    d["measures"] = [m for m in d["measures"] if m["id"] != "4.7"]


def _pillar_size(d):
    d["pillars"][5]["size"] = 4


def _unknown_dep(d):
    _measure(d, "2.2")["depends_on"] = ["3.1", "9.9"]


def _self_dep(d):
    _measure(d, "2.2")["depends_on"] = ["2.2"]


def _few_aspects(d):
    m = _measure(d, "3.3")
    m["aspects"] = m["aspects"][:3]


def _few_terms(d):
    _measure(d, "4.4")["terms"] = ["armoede", "schulden", "Armoede", "bijstand", "noodfonds"]


def _crucial_third(d):
    _measure(d, "2.3")["crucial"] = True


def _not_crucial(d):
    _measure(d, "6.2")["crucial"] = False


def _bad_phase(d):
    _measure(d, "1.1")["phases"] = ["lauwe fase"]


def _empty_phases(d):
    _measure(d, "1.1")["phases"] = []


def _bad_aspect_id(d):
    _measure(d, "1.1")["aspects"][0]["id"] = "1.2.a"


def _missing_field(d):
    del _measure(d, "5.5")["title"]


def _unknown_field(d):
    _measure(d, "5.5")["colour"] = "red"


def _bad_date(d):
    d["date"] = "augustus"


def _no_responsible(d):
    _measure(d, "2.6")["responsible"] = []


BROKEN: list[tuple[str, Callable[[dict], None], str]] = [
    ("dubbel nummer", _dup_id, "dubbele maatregelnummers: 1.1"),
    ("slecht nummer", _bad_id, "'1-2'"),
    ("verkeerde pijler", _wrong_pillar, "1.2"),
    ("maatregel ontbreekt", _drop_measure, "pijler 4"),
    ("pijlergrootte", _pillar_size, "pijler 6"),
    ("onbekende afhankelijkheid", _unknown_dep, "'9.9'"),
    ("van zichzelf afhankelijk", _self_dep, "2.2 hangt van zichzelf af"),
    ("te weinig aspecten", _few_aspects, "3.3 heeft 3 aspecten"),
    ("te weinig termen", _few_terms, "4.4 heeft minder dan 5"),
    ("derde cruciaal", _crucial_third, "2.3"),
    ("cruciale niet cruciaal", _not_crucial, "6.2"),
    ("onbekende fase", _bad_phase, "lauwe fase"),
    ("geen fasen", _empty_phases, "onbekend"),
    ("verkeerd aspectnummer", _bad_aspect_id, "'1.2.a'"),
    ("veld ontbreekt", _missing_field, "title"),
    ("onbekend veld", _unknown_field, "colour"),
    ("slechte datum", _bad_date, "date"),
    ("geen eindverantwoordelijke", _no_responsible, "2.6"),
]


@pytest.mark.parametrize(("label", "breaker", "needle"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_variants_are_rejected(tmp_path: Path, raw, label, breaker, needle) -> None:
    data = copy.deepcopy(raw)
    breaker(data)
    _write(tmp_path, data)
    with pytest.raises(CatalogError) as info:
        load_catalog(data_dir=tmp_path)
    message = str(info.value)
    assert isinstance(info.value, WeerbaarError)
    assert NAME in message and "ongeldig" in message, message
    assert needle in message, message


def test_not_yaml(tmp_path: Path) -> None:
    (tmp_path / NAME).write_text("version: [2025.08\nmeasures: {", encoding="utf-8")
    with pytest.raises(CatalogError, match="geen geldige YAML"):
        load_catalog(data_dir=tmp_path)


def test_not_a_mapping(tmp_path: Path) -> None:
    _write(tmp_path, ["a", "b"])
    with pytest.raises(CatalogError, match=NAME):
        load_catalog(data_dir=tmp_path)


def test_version_must_match_file_name(tmp_path: Path, raw) -> None:
    _write(tmp_path, raw, name="maatregelen-2026.03.yaml")
    with pytest.raises(CatalogError, match="bestandsnaam"):
        load_catalog("2026.03", data_dir=tmp_path)


def test_missing_folder_and_version(tmp_path: Path, raw) -> None:
    with pytest.raises(CatalogError, match="Geen catalogusbestanden"):
        load_catalog(data_dir=tmp_path / "leeg")
    _write(tmp_path, raw)
    with pytest.raises(CatalogError, match=r"2031\.01.*bestaat niet.*2025\.08"):
        load_catalog("2031.01", data_dir=tmp_path)
