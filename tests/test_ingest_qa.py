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
        "jaarverslag-2021.pdf": ("VR18", "titel"),  # the title on its cover
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
    # the passages table fits 80 columns and shows line breaks as spaces
    (src / "twee.txt").write_text("Eerste regel\nover water.\n\n" + BODY, encoding="utf-8")
    runner.invoke(app, ["inlezen", str(src), "--werkruimte", str(ws), "--stil"], env=env)
    res = runner.invoke(app, ["passages", "--werkruimte", str(ws)], env=env)
    assert res.exit_code == 0 and "Eerste regel" in res.output
    assert "\\n" not in res.output
    assert max(len(line) for line in res.output.splitlines()) <= 80


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
        assert "".join(title.split()) in "".join(column.split()), text
        assert "beschadigd" in flat and "corrupt" not in flat
        assert "…" not in text


# --------------------------------------------------------------------------- passages
INTRO = (
    "Wij willen dat inwoners zich veilig voelen en weten wat zij moeten doen als de stroom "
    "uitvalt of het water stijgt. Daarom werken we samen met de veiligheidsregio aan "
    "plannen, oefeningen en voorlichting. In deze paragraaf staat wat we daarvoor doen."
)
MORE = (
    "De raad heeft in 2025 besloten om extra te investeren in noodsteunpunten in alle "
    "kernen. Elk noodsteunpunt krijgt een aggregaat, een voorraad water en een vaste "
    "contactpersoon. "
)
CELLS = ["(x €1.000)", "Uitgaven", "€ 7.119 3%", "Inkomsten", "€ 93 0%", "Saldo", "€ 7.026 3%"]
BOTTOM = "1.1 Crisisbeheersing en rampenbestrijding"


def test_budget_pdf_passages(workspace: Workspace, tmp_path: Path) -> None:
    """A budget as the QA pass met it: a cover page, a table whose cells come out one per
    line, and a numbered heading as the last line of a page."""
    from test_ingest_readers import _check_offsets

    path = tmp_path / "Programmabegroting 2026-2029 Wormerland.pdf"
    make_pdf(
        path,
        [
            [("h1", "Programmabegroting 2026-2029"), ("p", "Gemeente Wormerland"), ("p", "Versie raad")],
            [("h1", "1 Veiligheid"), ("p", INTRO), *[("p", c) for c in CELLS], ("p", MORE * 2),
             ("h2", BOTTOM)],
            [("p", MORE + INTRO)],
        ],
    )  # fmt: skip
    report = ingest(workspace, [path], progress=False)
    assert report.items[0].status == Status.ok
    rows = _check_offsets(workspace, report.items[0].document_id)
    with workspace.read() as conn:
        (doc,) = list_documents(conn)
    # reportlab's placeholder title "(anonymous)" is no title: the title on the cover is
    assert doc["title"] == "Programmabegroting 2026-2029", doc["title"]
    assert doc["inferred"]["title"]["how"] == "titel op de voorpagina"
    # the cover page is one passage, not three of two words
    cover = [r for r in rows if r["page"] == 1]
    assert len(cover) == 1 and "Gemeente Wormerland" in cover[0]["text"]
    assert "Versie raad" in cover[0]["text"]
    for r in rows:
        # table labels are no headings, and no passage is a lone table cell
        assert not any(w in (r["heading"] or "") for w in ("Uitgaven", "Inkomsten", "Saldo"))
        assert r["text"].strip() not in CELLS and r["words"] >= 5, r
        # the heading at the bottom of page 2 is not glued to the passage before it
        assert not r["text"].rstrip().endswith(BOTTOM), r
    table = next(r for r in rows if "€ 93 0%" in r["text"])
    assert all(c in table["text"] for c in CELLS) and table["heading"] == "1 Veiligheid"
    last = [r for r in rows if r["page"] == 3]
    assert last and all(r["heading"] == f"1 Veiligheid > {BOTTOM}" for r in last)


def test_build_passages_joins_fragments_within_sections_only() -> None:
    from weerbaar.ingest.passages import Block, assemble_page, build_passages

    para = "De gemeente oefent elk jaar met de partners in de regio en evalueert dat. " * 3
    page1 = assemble_page(
        [
            Block("Hoofdstuk A", "kop", 1),
            Block("Post | Bedrag", "tabel", group=1),
            Block("Uitgaven | 7.119", "tabel", group=1),
            Block(para),
            Block("Zie bijlage.", "lijst"),
            Block("Hoofdstuk B", "kop", 1),
            Block(para * 2),
            Block("Tot slot."),
        ]
    )
    page2 = assemble_page([Block(para), Block("Een korte zin van vier woorden.")])
    text, passages = build_passages([page1, page2], min_words=40, max_words=200)
    for p in passages:
        assert text[p.char_start : p.char_end] == p.text
        assert "Hoofdstuk" not in p.text  # a heading starts a new passage
    assert [p.heading for p in passages] == ["Hoofdstuk A"] * 2 + ["Hoofdstuk B"] * 2
    # the table is a passage of its own; the paragraph after it takes the short list item
    t, a, b1, b2 = passages
    assert t.text == "Post | Bedrag\nUitgaven | 7.119" and t.kind == "tabel"
    assert a.text.startswith("De gemeente") and a.text.endswith("Zie bijlage.")
    assert a.kind == "tekst" and (a.page_start, a.page_end) == (1, 1)
    assert b1.text.endswith("Tot slot.") and b1.page_end == 1  # a closing line stays put
    assert b2.text.endswith("Een korte zin van vier woorden.") and b2.page_start == 2
    assert all(p.words >= 40 for p in passages if p.kind != "tabel")
    # within max_words a long section still splits, and short tails join the passage before
    text, passages = build_passages([page1, page2], min_words=40, max_words=60)
    for p in passages:
        assert text[p.char_start : p.char_end] == p.text and p.words <= 60
    assert all(p.words >= 5 for p in passages)


def test_pdf_blocks_figures_and_labels() -> None:
    from weerbaar.ingest.readers.pdf import pdf_blocks

    lines = [
        "De gemeente heeft dit jaar twee nieuwe noodsteunpunten ingericht voor de inwoners van",
        "€ 1.250.000 (2024) en € 980.000 (2025)",
        "voor de kernen. Dat is veel geld voor een kleine gemeente zoals de onze hier.",
        "Uitgaven",
        "€ 7.119 3%",
        "Saldo",
        "€ 7.026 3%",
        "De raad heeft besloten om verder te gaan met de plannen voor het komende jaar.",
        "2.3 Risicobeheersing",
    ]
    blocks = pdf_blocks("\n".join(lines))
    got = [(b.kind, b.text.replace("\n", " ")) for b in blocks]
    assert got == [
        ("tekst", " ".join(lines[:3])),  # a line of figures inside a sentence stays there
        # a label above figures is a table row with them: no heading, no running text
        ("tabel", "Uitgaven € 7.119 3%"),
        ("tabel", "Saldo € 7.026 3%"),
        ("tekst", lines[7]),
        ("kop", "2.3 Risicobeheersing"),  # numbered, as the last line of the page
    ]
    assert blocks[1].group == blocks[2].group != 0  # one table
    assert blocks[-1].level == 2
