"""The organisations register, workspace organisations and ``weerbaar organisaties``."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weerbaar.catalog import Organisation, load_register
from weerbaar.catalog.organisations import parse_register
from weerbaar.cli import _load_commands, app
from weerbaar.errors import CatalogError, UnknownOrganisation
from weerbaar.store import Workspace
from weerbaar.store.organisations import (
    OrganisationError,
    add_organisation,
    list_organisations,
    resolve_organisation,
)

_load_commands()
runner = CliRunner()


@pytest.fixture(scope="module")
def register():
    return load_register()


# --------------------------------------------------------------------------- register
def test_register_has_25_regions_and_342_municipalities(register) -> None:
    regions = register.regions()
    assert [r.code for r in regions] == [f"VR{i:02d}" for i in range(1, 26)]
    assert all(r.type == "veiligheidsregio" for r in regions)
    munis = register.municipalities()
    assert len(munis) == 342
    assert len({m.code for m in munis}) == 342
    region_codes = {r.code for r in regions}
    for m in munis:
        assert m.type == "gemeente"
        assert m.code.startswith("GM") and len(m.code) == 6
        assert m.region_code in region_codes
        assert register.region_of(m.code).code == m.region_code
    assert sum(len(register.municipalities(r.code)) for r in regions) == 342
    assert register.reference_date == date(2023, 1, 1)
    assert "CBS" in register.source


def test_register_matches_reference_data(register, shared_dir: Path) -> None:
    path = shared_dir / "reference" / "gemeenten_veiligheidsregio.csv"
    if not path.exists():
        pytest.skip("referentiebestand ontbreekt")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 342
    for row in rows:
        org = register.get(row["gemeentecode"])
        assert org.name == row["gemeentenaam"]
        assert org.region_code == row["vr_code"]
        assert register.get(row["vr_code"]).name == row["veiligheidsregio"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Den Haag", "GM0518"),
        ("'s-Gravenhage", "GM0518"),
        ("s Gravenhage", "GM0518"),
        ("Den Bosch", "GM0796"),
        ("gemeente 's-Hertogenbosch", "GM0796"),
        ("Bergen NH", "GM0373"),
        ("Bergen (NH.)", "GM0373"),
        ("bergen l", "GM0893"),
        ("Hengelo", "GM0164"),
        ("GEMEENTE UTRECHT", "GM0344"),
        ("Gemeente Súdwest-Fryslân", "GM1900"),
        ("sudwest fryslan", "GM1900"),
        ("Noardeast Fryslan", "GM1970"),
        ("Midden Groningen", "GM1952"),
        ("Nuenen, Gerwen en Nederwetten", "GM0820"),
        ("Veiligheidsregio Utrecht", "VR09"),
        ("Veiligheidsregio Noord- en Oost-Gelderland", "VR06"),
        ("noord en oost gelderland", "VR06"),
        ("Zeeland", "VR19"),
        ("Fryslân", "VR02"),
        ("gm363", "GM0363"),
        ("GM 0363", "GM0363"),
        ("VR6", "VR06"),
        ("vr06", "VR06"),
    ],
)
def test_tolerant_lookup(register, query: str, code: str) -> None:
    assert register.lookup(query).code == code


def test_lookup_of_plain_name_prefers_municipality_over_region(register) -> None:
    assert register.lookup("Groningen").type == "gemeente"
    assert register.lookup("Veiligheidsregio Groningen").code == "VR01"


def test_unknown_and_ambiguous_lookups_raise_with_suggestions(register) -> None:
    with pytest.raises(UnknownOrganisation) as exc:
        register.lookup("Amsterdm")
    assert "Amsterdam" in exc.value.suggestions
    assert "Amsterdam" in str(exc.value)
    with pytest.raises(UnknownOrganisation) as exc:
        register.lookup("Bergen")
    assert set(exc.value.suggestions) == {"Bergen (L.)", "Bergen (NH.)"}
    with pytest.raises(UnknownOrganisation):
        register.lookup("Atlantis aan Zee")
    with pytest.raises(UnknownOrganisation):
        register.get("GM9999")


@pytest.mark.parametrize(
    ("old", "new", "merged"),
    [
        ("GM0501", "GM1992", date(2023, 1, 1)),  # Brielle -> Voorne aan Zee
        ("GM0530", "GM1992", date(2023, 1, 1)),  # Hellevoetsluis
        ("GM0614", "GM1992", date(2023, 1, 1)),  # Westvoorne
        ("GM1685", "GM1991", date(2022, 1, 1)),  # Landerd -> Maashorst
        ("GM0856", "GM1991", date(2022, 1, 1)),  # Uden
        ("GM0756", "GM1982", date(2022, 1, 1)),  # Boxmeer -> Land van Cuijk
        ("GM0815", "GM1982", date(2022, 1, 1)),  # Mill en Sint Hubert
        ("GM0398", "GM1980", date(2022, 1, 1)),  # Heerhugowaard -> Dijk en Waard
        ("GM0416", "GM1980", date(2022, 1, 1)),  # Langedijk
    ],
)
def test_merged_codes_map_to_new_municipality(register, old: str, new: str, merged: date) -> None:
    assert register.lookup(old).code == new
    assert register.get(old).code == new
    assert register.region_of(old).code == register.get(new).region_code
    before = register.lookup(old, on_date=date(merged.year - 1, 6, 1))
    assert before.code == old
    assert before.dissolved_on == merged
    assert before.successor == new
    assert register.lookup(old, on_date=merged).code == new
    assert old in register.get(new).former_codes


def test_former_names_follow_mergers(register) -> None:
    assert register.lookup("Uden").code == "GM1991"
    assert register.lookup("gemeente Hellevoetsluis").code == "GM1992"
    assert register.lookup("Uden", on_date=date(2021, 3, 1)).name == "Uden"
    assert register.lookup("Weesp").code == "GM0363"
    # A merger target is a current municipality; former codes are not.
    for merger in register.mergers:
        assert merger.into in register
        for code, _name in merger.former:
            assert code not in register


def test_register_validation_rejects_broken_data() -> None:
    good = {
        "format": 1,
        "id": "t",
        "reference_date": date(2025, 1, 1),
        "source": "test",
        "regions": [
            {"code": "VR01", "name": "A", "municipalities": [{"code": "GM0001", "name": "X"}]}
        ],
    }
    assert len(parse_register(good).municipalities()) == 1
    duplicate = {**good, "regions": good["regions"] * 2}
    with pytest.raises(CatalogError):
        parse_register(duplicate)
    bad_merger = {**good, "mergers": [{"date": date(2020, 1, 1), "into": "GM0002", "former": []}]}
    with pytest.raises(CatalogError):
        parse_register(bad_merger)
    with pytest.raises(CatalogError):
        parse_register({**good, "format": 2})


# --------------------------------------------------------------------------- workspace
def _demo_region(ws: Workspace) -> None:
    add_organisation(ws, "VR99", "Veiligheidsregio Voorbeeld", "veiligheidsregio", fictional=True)
    add_organisation(ws, "GM9901", "Voorbeeldstad", "gemeente", region_code="VR99", fictional=True)
    add_organisation(
        ws, "GM9902", "Dorp aan de Voorbeeld", "gemeente", region_code="Voorbeeld", fictional=True
    )


def test_workspace_organisations_are_resolved_first(workspace: Workspace) -> None:
    _demo_region(workspace)
    assert resolve_organisation(workspace, "voorbeeldstad").code == "GM9901"
    assert resolve_organisation(workspace, "Gemeente Voorbeeldstad").fictional is True
    assert resolve_organisation(workspace, "gm9902").region_code == "VR99"
    assert resolve_organisation(workspace, "Veiligheidsregio Voorbeeld").code == "VR99"
    # The register still answers for everything else.
    assert resolve_organisation(workspace, "Den Haag").code == "GM0518"
    with pytest.raises(UnknownOrganisation) as exc:
        resolve_organisation(workspace, "Voorbeeldstd")
    assert "Voorbeeldstad" in exc.value.suggestions


def test_list_organisations_merges_register_and_workspace(workspace: Workspace) -> None:
    _demo_region(workspace)
    everything = list_organisations(workspace)
    assert len(everything) == 25 + 342 + 3
    demo = list_organisations(workspace, region_code="VR99")
    assert [o.code for o in demo] == ["VR99", "GM9902", "GM9901"]
    assert all(isinstance(o, Organisation) and o.fictional for o in demo)
    regions = list_organisations(workspace, type="veiligheidsregio")
    assert len(regions) == 26
    vr06 = list_organisations(workspace, region_code="VR06", type="gemeente")
    assert len(vr06) == 22 and all(o.region_code == "VR06" for o in vr06)


def test_add_organisation_is_idempotent_and_validates(workspace: Workspace) -> None:
    _demo_region(workspace)
    add_organisation(
        workspace, "GM9901", "Voorbeeldstad", "gemeente", region_code="VR99", fictional=True
    )
    assert len(list_organisations(workspace, region_code="VR99")) == 3
    with pytest.raises(OrganisationError):
        add_organisation(workspace, "GM0363", "Nep-Amsterdam", "gemeente")
    with pytest.raises(OrganisationError):
        add_organisation(workspace, "GM9903", "Ergens", "gemeente", region_code="GM9901")
    with pytest.raises(OrganisationError):
        add_organisation(workspace, "GM9904", "Ergens", "provincie")
    with pytest.raises(OrganisationError):
        add_organisation(workspace, "x y", "Ergens", "gemeente")


# --------------------------------------------------------------------------- CLI
def test_cli_json_lists_every_region_and_municipality(tmp_path: Path) -> None:
    result = runner.invoke(app, ["organisaties", "--json", "--werkruimte", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    regions = [o for o in data if o["type"] == "veiligheidsregio"]
    munis = [o for o in data if o["type"] == "gemeente"]
    assert len(regions) == 25 and len(munis) == 342
    region_codes = {r["code"] for r in regions}
    for o in data:
        assert {"code", "name", "type", "region"} <= set(o)
    assert all(m["region"] in region_codes for m in munis)
    # Listing does not create a workspace.
    assert not (tmp_path / "ws").exists()


def test_cli_filters_and_adds_fictional_organisations(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    result = runner.invoke(app, ["organisaties", "--regio", "VR06", "--json", "-w", ws])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data[0]["code"] == "VR06"
    assert len(data) == 1 + 22
    result = runner.invoke(app, ["organisaties", "--soort", "veiligheidsregio", "--json", "-w", ws])
    assert len(json.loads(result.stdout)) == 25

    for args in (
        ["VR99", "Veiligheidsregio Voorbeeld", "--soort", "veiligheidsregio"],
        ["GM9901", "Voorbeeldstad", "--soort", "gemeente", "--regio", "VR99"],
    ):
        result = runner.invoke(app, ["organisaties", "toevoegen", *args, "--fictief", "-w", ws])
        assert result.exit_code == 0, result.output
        assert "opgeslagen" in result.stdout
    result = runner.invoke(app, ["organisaties", "--regio", "VR99", "--json", "-w", ws])
    data = json.loads(result.stdout)
    assert [(o["code"], o["region"], o["fictional"]) for o in data] == [
        ("VR99", "VR99", True),
        ("GM9901", "VR99", True),
    ]
    result = runner.invoke(app, ["organisaties", "--regio", "VR06", "-w", ws])
    assert result.exit_code == 0
    assert "Noord- en Oost-Gelderland" in result.stdout and "Apeldoorn" in result.stdout


def test_cli_unknown_region_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["organisaties", "--regio", "VR77", "-w", str(tmp_path / "ws")])
    assert result.exit_code != 0
    assert isinstance(result.exception, UnknownOrganisation)
