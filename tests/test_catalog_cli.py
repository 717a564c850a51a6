"""``weerbaar catalogus`` through the real Typer app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from weerbaar.cli import _load_commands, app
from weerbaar.errors import CatalogError, UnknownMeasure

FIELDS = {
    "id",
    "pillar",
    "title",
    "description",
    "crucial",
    "phases",
    "responsible",
    "partners",
    "aspects",
    "depends_on",
    "terms",
}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _load_commands()
    return CliRunner()


def test_json_lists_the_catalogue(runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogus", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data) == 41
    assert sum(1 for m in data if m["crucial"]) == 12
    for m in data:
        assert set(m) >= FIELDS, m["id"]
        assert len(m["aspects"]) >= 4 and len(m["terms"]) >= 5, m["id"]
        assert {"id", "label", "terms"} <= set(m["aspects"][0])
    by_id = {m["id"]: m for m in data}
    assert by_id["2.2"]["pillar"] == 2
    assert "3.1" in by_id["2.2"]["depends_on"]


def test_json_filters(runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogus", "--json", "--pijler", "2", "--cruciaal"])
    assert result.exit_code == 0, result.output
    assert [m["id"] for m in json.loads(result.stdout)] == ["2.1", "2.2"]
    result = runner.invoke(app, ["catalogus", "--json", "--pijler", "3", "--versie", "2025.08"])
    assert [m["id"] for m in json.loads(result.stdout)] == [f"3.{n}" for n in range(1, 11)]


def test_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogus", "--cruciaal"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Noodsteunpunten inrichten" in out
    assert "Pijler 6: Samenleving als overkoepelend systeem" in out
    assert "bevoegd gezag: burgemeester" in out
    assert "Maatregel" in out and "Fasen" in out
    assert "12 van 41 maatregelen getoond" in out
    assert "3.3" not in out.split("Fasen:")[0]  # only crucial rows


def test_errors_are_dutch(runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogus", "--versie", "1999.01"])
    assert isinstance(result.exception, CatalogError)
    assert "bestaat niet" in str(result.exception)
    result = runner.invoke(app, ["catalogus", "--pijler", "9"])
    assert isinstance(result.exception, CatalogError)
    assert "Pijler 9 bestaat niet" in str(result.exception)


def test_one_measure(runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogus", "--maatregel", "2.2"], env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Noodsteunpunten inrichten" in out and "meest cruciaal" in out
    assert "2.2.i" in out and "Zoektermen" in out and "noodsteunpunt" in out
    assert "Nodig voor" in out and "5.2" in out
    result = runner.invoke(app, ["catalogus", "-m", "3.10", "--json"])
    data = json.loads(result.stdout)
    assert [m["id"] for m in data] == ["3.10"]
    assert data[0]["pillar_name"] == "Vitale voorzieningen"
    assert data[0]["responsible"] == ["Provincie", "Vervoersbedrijven"]
    result = runner.invoke(app, ["catalogus", "-m", "9.9"])
    assert isinstance(result.exception, UnknownMeasure)
