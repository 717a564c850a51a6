"""``weerbaar beoordeling`` reads well at 80 columns: a compact summary per organisation
by default, the details on request; the help is Dutch down to the usage line and the
value types."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from assess_workspace import Built, build
from weerbaar.catalog import load_catalog
from weerbaar.cli import _dutch_help, _load_commands, app

ENV = {"COLUMNS": "80"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    b = build(tmp_path_factory.mktemp("cli-samenvatting"))
    yield b
    b.ws.close()


def _run(*args: str) -> str:
    _load_commands()
    res = CliRunner().invoke(app, list(args), env=ENV)
    assert res.exit_code == 0, res.output
    return res.output


def test_beoordeling_summary_fits_80_columns(built: Built) -> None:
    out = _run("beoordeling", "--werkruimte", str(built.ws.root))
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert len(lines) < 40 * 3  # about 25 lines per organisation, not 41 table rows each
    assert "…" not in out  # nothing cut off
    crucial = [m.id for m in load_catalog().measures if m.crucial]
    for org in (built.gm_a, built.gm_b, built.region):
        block = out[out.index(f"({org}, ") :]
        assert re.search(r"Scores \(41 maatregelen\): Hoog \d+, Midden \d+, Laag \d+", block)
        grid = block[block.index("Cruciale maatregelen") :][:400]
        for mid in crucial:
            assert re.search(rf"(?<![\d.]){re.escape(mid)} (H|M|L|\?|NB)(?=\s|$)", grid), mid
    assert "Belangrijkste hiaten" in out and "Over 3 organisaties samen:" in out
    assert "--details" in out and "--maatregel" in out


def test_beoordeling_details_and_one_measure(built: Built) -> None:
    ws = str(built.ws.root)
    details = _run("beoordeling", "--werkruimte", ws, "-o", built.gm_a, "--details")
    assert max(len(line) for line in details.splitlines()) <= 80
    for m in load_catalog().measures:
        assert f"\n  {m.id} " in details, m.id
    one = _run("beoordeling", "--werkruimte", ws, "--maatregel", "2.2")
    assert one.startswith("2.2 Noodsteunpunten") and "Voorwaarde: 3.1, 3.2" in one
    assert "  2.2 Noodsteunpunten inrichten: Hoog" in one and "\n  3.1 " not in one
    assert max(len(line) for line in one.splitlines()) <= 80
    _load_commands()
    res = CliRunner().invoke(app, ["beoordeling", "-w", ws, "--maatregel", "9.9"], env=ENV)
    assert res.exit_code != 0 and "Onbekende maatregel '9.9'" in str(res.exception)


def test_help_usage_line_and_types_are_dutch() -> None:
    _dutch_help()
    for path in (["beoordeling"], ["zelfscan", "importeer"], ["rapport"]):
        out = _run(*path, "--help")
        assert "Gebruik: weerbaar" in out and "Usage" not in out, path
        assert "[OPTIES]" in out and "[OPTIONS]" not in out
        for english in ("<path>", "<str>", "<int>", "<bool>", "[ARGS]"):
            assert english not in out, (path, english)
        assert not re.search(r"\bCOMMAND\b", out)
    assert "<pad>" in _run("rapport", "--help")
