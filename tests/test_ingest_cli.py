"""The CLI: summary table, exit codes, JSON listings."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import weerbaar.cli.ingest  # noqa: F401  (registers the commands)
from ingest_helpers import make_pdf
from weerbaar.cli import app

runner = CliRunner()


def test_cli_inlezen_summary_and_json(tmp_path: Path) -> None:
    src = tmp_path / "invoer"
    src.mkdir()
    make_pdf(
        src / "Jaarstukken 2023 Veiligheidsregio Utrecht.pdf",
        [
            [
                ("h1", "Jaarstukken 2023"),
                ("p", "De regio heeft in 2023 drie grote oefeningen gehouden."),
            ]
        ],
    )
    (src / "kapot.pdf").write_bytes(b"%PDF-1.7 niets")
    ws = tmp_path / "ws"
    res = runner.invoke(app, ["inlezen", str(src), "--werkruimte", str(ws), "--stil"])
    assert res.exit_code == 0, res.output
    for word in ("gelezen", "overgeslagen", "fouten", "kapot.pdf", "beschadigd"):
        assert word in res.output
    res = runner.invoke(app, ["documenten", "--werkruimte", str(ws), "--json"])
    docs = json.loads(res.output)
    assert len(docs) == 2
    good = next(d for d in docs if d["status"] == "ok")
    for key in ("id", "organisation", "type", "year", "title", "pages", "status", "reason"):
        assert key in good
    assert (good["organisation"], good["type"], good["year"]) == ("VR09", "jaarstukken", 2023)
    assert good["inferred"]["organisation"]["how"].startswith("bestandsnaam")
    res = runner.invoke(
        app, ["passages", "--werkruimte", str(ws), "--document", str(good["id"]), "--json"]
    )
    rows = json.loads(res.output)
    assert rows
    for key in ("id", "document_id", "organisation", "page", "start", "end", "text", "heading"):
        assert key in rows[0]
    assert rows[0]["organisation"] == "VR09"
    # re-run: nothing new, still success
    res = runner.invoke(app, ["inlezen", str(src), "--werkruimte", str(ws), "--stil"])
    assert res.exit_code == 0 and "overgeslagen" in res.output


def test_cli_exit_code_when_nothing_read(tmp_path: Path) -> None:
    bad = tmp_path / "nep.pdf"
    bad.write_bytes(b"hello world")
    res = runner.invoke(app, ["inlezen", str(bad), "--werkruimte", str(tmp_path / "ws"), "--stil"])
    assert res.exit_code == 1
    # the Dutch label in the table; the status code only in --json
    assert "bestandstype" in res.output and "unsupported_type" not in res.output


def test_cli_manifest_and_explicit_metadata(tmp_path: Path) -> None:
    make_pdf(tmp_path / "stuk.pdf", [[("p", "Een tekst zonder aanwijzingen over de maker.")]])
    make_pdf(tmp_path / "ander.pdf", [[("p", "Nog een tekst zonder aanwijzingen.")]])
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "bestand;organisatie;soort;jaar;titel;url\n"
        "stuk.pdf;Utrecht;beleidsplan;2024;Beleidsplan veiligheid;https://example.org/stuk.pdf\n",
        encoding="utf-8",
    )
    ws = tmp_path / "ws"
    res = runner.invoke(
        app,
        ["inlezen", str(tmp_path / "ander.pdf"), str(tmp_path / "stuk.pdf"),
         "--manifest", str(manifest), "-w", str(ws),
         "--organisatie", "VR09", "--soort", "raadsbrief", "--jaar", "2022", "--stil"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    docs = {
        d["title"]: d
        for d in json.loads(runner.invoke(app, ["documenten", "-w", str(ws), "--json"]).output)
    }
    stuk = docs["Beleidsplan veiligheid"]
    assert (stuk["organisation"], stuk["type"], stuk["year"]) == ("GM0344", "beleidsplan", 2024)
    assert stuk["source_url"] == "https://example.org/stuk.pdf"
    assert "organisation" not in (stuk["inferred"] or {})
    ander = next(d for d in docs.values() if d["names"][0].endswith("ander.pdf"))
    assert (ander["organisation"], ander["type"], ander["year"]) == ("VR09", "raadsbrief", 2022)
    res = runner.invoke(
        app, ["inlezen", str(tmp_path / "stuk.pdf"), "-w", str(ws), "--soort", "fout"]
    )
    assert res.exit_code != 0
