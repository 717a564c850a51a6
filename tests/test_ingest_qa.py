"""Findings of a new-user QA pass on real-looking downloads: organisation inference from
file names, titles and region abbreviations; binary files named .txt; a PDF without
pages; the Dutch wording of ``weerbaar inlezen`` and ``weerbaar documenten``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

import weerbaar.cli.ingest  # noqa: F401  (registers the commands)
from ingest_helpers import make_pdf
from weerbaar.catalog import load_register
from weerbaar.cli import app
from weerbaar.cli.ingest import documents_table
from weerbaar.ingest import Status, ingest
from weerbaar.store import Workspace
from weerbaar.store.documents import list_documents

runner = CliRunner()

BODY = (
    "Het college werkt aan de voorbereiding op crisis en aan de weerbaarheid van inwoners. "
    "We oefenen twee keer per jaar en houden de plannen actueel."
)


def _docx(path: Path, paragraphs: list[str]) -> None:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("VRBZO", "VR22"),
        ("VRMWB", "VR20"),
        ("VR NHN", "VR10"),
        ("VR-BZO", "VR22"),
        ("VRU", "VR09"),
        ("VGGM", "VR07"),
        ("VNOG", "VR06"),
        ("VRTwente", "VR05"),
        ("VRZHZ", "VR18"),
    ],
)
def test_register_lookup_of_region_abbreviations(query: str, code: str) -> None:
    assert load_register().lookup(query).code == code


def test_organisation_from_file_name_title_and_abbreviations(
    workspace: Workspace, tmp_path: Path
) -> None:
    src = tmp_path / "downloads"
    src.mkdir()
    # the body names the region (twice) near the top; the file name names the municipality
    _docx(
        src / "Begroting 2026-2029 Wormerland.docx",
        [
            "Programmabegroting 2026-2029",
            "Met de Veiligheidsregio Zaanstreek-Waterland werken we samen. " + BODY,
            "De Veiligheidsregio Zaanstreek-Waterland oefent met ons. " + BODY,
        ],
    )
    for name in (
        "Jaarverslag 2018 VRBZO.pdf",
        "Jaarverslag VRMWB 2019.pdf",
        "Regionaal Risicoprofiel VR NHN 2016.pdf",
    ):
        make_pdf(src / name, [[("h1", "Jaarverslag"), ("p", BODY)]])
    # "gemeente" twice within a few words: the first must not swallow the second
    make_pdf(
        src / "memo-crisisorganisatie.pdf",
        [[("p", "Memo over de taak van de gemeente in gemeente Baarle-Nassau"), ("p", BODY)]],
    )
    # an abbreviation in capitals in the first lines of the text
    make_pdf(
        src / "jaarverslag-2021.pdf",
        [[("h1", "Jaarverslag 2021 VRZHZ"), ("p", BODY)]],
    )
    report = ingest(workspace, [src], progress=False)
    assert all(i.status == Status.ok for i in report.items), report.items
    with workspace.read() as conn:
        docs = {d["id"]: d for d in list_documents(conn)}
    by_name = {Path(i.path).name: docs[i.document_id] for i in report.items}
    expected = {
        "Begroting 2026-2029 Wormerland.docx": ("GM0880", "bestandsnaam"),
        "Jaarverslag 2018 VRBZO.pdf": ("VR22", "bestandsnaam"),
        "Jaarverslag VRMWB 2019.pdf": ("VR20", "bestandsnaam"),
        "Regionaal Risicoprofiel VR NHN 2016.pdf": ("VR10", "bestandsnaam"),
        "memo-crisisorganisatie.pdf": ("GM0744", "eerste regels"),
        "jaarverslag-2021.pdf": ("VR18", "eerste regels"),
    }
    for name, (code, how) in expected.items():
        doc = by_name[name]
        assert doc["organisation"] == code, (name, doc["inferred"])
        assert doc["inferred"]["organisation"]["how"].startswith(how), (name, doc["inferred"])
    assert not report.without_organisation


def test_binary_txt_and_pageless_pdf(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "notulen.txt").write_bytes(bytes(range(256)) * 20)  # 5 KB of every byte value
    (src / "pagina.html").write_bytes(b"<html><body>" + bytes(range(1, 256)) * 20)
    pypdf.PdfWriter().write(src / "leeg.pdf")
    (src / "goed.txt").write_text("Gemeente Assen\n\n" + BODY, encoding="utf-8")
    report = ingest(workspace, [src], progress=False)
    got = {Path(i.path).name: i for i in report.items}
    assert got["goed.txt"].status == Status.ok
    for name in ("notulen.txt", "pagina.html"):
        assert got[name].status == Status.unsupported_type, got[name]
        assert "binaire inhoud" in (got[name].reason or "")
        assert got[name].pages == 0
    assert got["leeg.pdf"].status == Status.empty, got["leeg.pdf"]
    assert "zonder pagina" in (got["leeg.pdf"].reason or "")


def test_cli_wording_labels_plurals_and_rerun(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "leeg.txt").write_bytes(b"")
    ws = tmp_path / "ws"
    env = {"COLUMNS": "80"}
    res = runner.invoke(app, ["inlezen", str(src), "--werkruimte", str(ws), "--stil"], env=env)
    assert res.exit_code == 1
    out = res.output
    assert "leeg" in out and "Niet ingelezen" in out
    assert not re.search(r"\bempty\b", out)
    assert "1 bestand in " in out and "1 bestanden" not in out
    assert "opgeslagen in" not in out  # nothing was stored
    assert re.search(r"in \d+,\d s", out)
    # re-run: the empty file is not reported as a new error
    res = runner.invoke(app, ["inlezen", str(src), "--werkruimte", str(ws), "--stil"], env=env)
    assert "Niet ingelezen" not in res.output
    assert re.search(r"fouten\s*│\s*0", res.output), res.output
    assert "al eerder niet leesbaar" in res.output
    # one readable document without any organisation named anywhere
    (src / "notitie.txt").write_text(BODY, encoding="utf-8")
    res = runner.invoke(app, ["inlezen", str(src), "--werkruimte", str(ws), "--stil"], env=env)
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "1 pagina en 1 passage opgeslagen" in flat
    assert "1 document zonder organisatie: geef --organisatie op of gebruik een manifest" in flat
    # JSON keeps the codes
    res = runner.invoke(app, ["documenten", "--werkruimte", str(ws), "--json"])
    assert {d["status"] for d in json.loads(res.output)} == {"ok", "empty"}


def test_documents_table_fits_80_columns(workspace: Workspace, tmp_path: Path) -> None:
    from rich.console import Console

    title = "Programmabegroting 2026-2029 met meerjarenraming en paragraaf weerstandsvermogen"
    path = tmp_path / f"{title} Wormerland.txt"
    path.write_text(BODY, encoding="utf-8")
    (tmp_path / "kapot.pdf").write_bytes(b"%PDF-1.7 niets")
    ingest(workspace, [path, tmp_path / "kapot.pdf"], progress=False)
    with workspace.read() as conn:
        docs = list_documents(conn)
    for width in (80, 100, 160):
        console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(documents_table(docs, width))
        text = console.export_text()
        assert max(len(line) for line in text.splitlines()) <= width
        flat = "".join(text.split())
        # the whole title is shown (wrapped in its column), and the Dutch status label
        header = next(line for line in text.splitlines() if "titel" in line).split("┃")
        col = next(i for i, cell in enumerate(header) if cell.strip() == "titel")
        column = " ".join(
            line.split("│")[col].strip() for line in text.splitlines() if line.count("│") > col
        )
        assert "".join(title.replace("-", "").split()) in "".join(column.split()), text
        assert "beschadigd" in flat and "corrupt" not in flat
        assert "…" not in text
