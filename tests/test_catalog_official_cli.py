from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from weerbaar.cli import _load_commands, app


def test_catalog_shows_imported_official_text(seeds_dir: Path, tmp_path: Path) -> None:
    _load_commands()
    runner = CliRunner()
    ws = tmp_path / "ws"
    seed = seeds_dir / "001_332136390dc8132e.txt"
    res = runner.invoke(app, ["catalogus", "importeer", str(seed), "-w", str(ws)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["catalogus", "--json", "-w", str(ws)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert len(data) == 41 and all(m["official_text"] for m in data)
    by_id = {m["id"]: m for m in data}
    # the official wording sits beside (not instead of) our own description
    assert by_id["2.2"]["official_text"] != by_id["2.2"]["description"]
    assert "noodsteunpunt" in by_id["2.2"]["official_text"].lower()
    res = runner.invoke(app, ["catalogus", "-m", "2.2", "-w", str(ws)], env={"COLUMNS": "120"})
    assert res.exit_code == 0 and "Officiële tekst" in res.output
    # without an import there is no official text, and a missing workspace is an error
    res = runner.invoke(app, ["catalogus", "--json", "-w", str(tmp_path / "leeg")])
    assert res.exit_code != 0
