"""Import of the official wording of the measures (``weerbaar catalogus importeer``).

The expected texts are read from the clean seed (001) in the test itself with a plain
line reading that does not use the importer: in that file every table row of the guidance
is one line "N. text<TAB>phase<TAB>...", between the section heading on the measures and
the next section, and the numbering restarts at 1 in each pillar.
"""

from __future__ import annotations

import difflib
import json
import re
import textwrap
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from weerbaar.catalog import load_catalog
from weerbaar.catalog.importer import import_official_text
from weerbaar.cli import _load_commands, app
from weerbaar.errors import NotTheGuidance
from weerbaar.store import Workspace
from weerbaar.store.official import import_official_file, official_texts_for
from weerbaar.store.schema import official_texts

OCR_SEED = "000_b10fb3226161be7b.txt"
CLEAN_SEED = "001_332136390dc8132e.txt"

_load_commands()
runner = CliRunner()


# --------------------------------------------------------------------------- oracle
def _plain(text: str) -> str:
    text = re.sub(r"</?[a-z][^>]*>", "", text)
    text = " ".join(text.split())
    return re.sub(r"\s+([.,;:)])", r"\1", text)


def _fold(text: str) -> str:
    """For comparing OCR with clean text: no accents, one kind of apostrophe, lower case."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("’", "'").replace("‘", "'").lower()


def _oracle_rows(clean_text: str) -> dict[str, str]:
    lines = clean_text.splitlines()
    start = next(
        i
        for i, ln in enumerate(lines)
        if ln.strip().startswith("Maatregelen weerb") and "\t" not in ln
    )
    end = next(
        i
        for i, ln in enumerate(lines)
        if i > start and ln.strip() == "Enkele maatregelen uitgelicht"
    )
    rows: dict[str, str] = {}
    pillar, prev = 0, 0
    for line in lines[start:end]:
        m = re.match(r"^\s*(?:<p>)?(\d{1,2})\. (.+)$", line)
        # Pillar headings ("5. Zelfredzaamheid ...") have neither cells nor a full stop.
        if not m or ("\t" not in line and not line.rstrip().endswith((".", ".</p>"))):
            continue
        n = int(m.group(1))
        if n <= prev or pillar == 0:
            pillar += 1
        prev = n
        rows[f"{pillar}.{n}"] = _plain(m.group(2).split("\t")[0])
    return rows


@pytest.fixture(scope="module")
def catalog_ids() -> list[str]:
    return load_catalog().ids()


@pytest.fixture(scope="module")
def oracle(seeds_dir: Path) -> dict[str, str]:
    rows = _oracle_rows((seeds_dir / CLEAN_SEED).read_text(encoding="utf-8"))
    assert len(rows) == 41
    return rows


def _opening(text: str, words: int = 5) -> str:
    return " ".join(_fold(text).split()[:words])


def _check_boundaries(texts: dict[str, str], oracle: dict[str, str]) -> None:
    """Every text starts with its own opening words and does not run into the next."""
    for mid, text in texts.items():
        assert _opening(text) == _opening(oracle[mid]), mid
        pillar, number = (int(x) for x in mid.split("."))
        nxt = f"{pillar}.{number + 1}"
        if nxt in oracle:
            assert _opening(oracle[nxt], 6) not in _fold(text), (mid, "loopt door in", nxt)
            assert not re.search(rf"(?<![\d.,]){number + 1}\.\s+[A-Z]", text), mid
        for noise in (
            "koude fase",
            "meest cruciale",
            "eindverant",
            "bevoegd gezag",
            "vereniging van",
        ):
            assert noise not in _fold(text), (mid, noise)


# --------------------------------------------------------------------------- the seeds
def test_clean_seed_gives_all_41_exactly(seeds_dir: Path, oracle, catalog_ids) -> None:
    result = import_official_text(seeds_dir / CLEAN_SEED)
    assert list(result.texts) == catalog_ids
    assert result.missing == [] and result.unexpected == []
    for mid, text in result.texts.items():
        assert text == oracle[mid], mid
    _check_boundaries(result.texts, oracle)
    assert len(result.pillars) == 6


def test_ocr_seed_gives_all_41_with_right_openings(seeds_dir: Path, oracle, catalog_ids) -> None:
    result = import_official_text(seeds_dir / OCR_SEED)
    assert sorted(result.texts, key=lambda i: tuple(map(int, i.split(".")))) == catalog_ids
    assert result.missing == [] and result.unexpected == []
    _check_boundaries(result.texts, oracle)
    # The OCR text stays close to the clean wording: columns run into the text are removed.
    for mid, text in result.texts.items():
        ratio = difflib.SequenceMatcher(
            None, _fold(text), _fold(oracle[mid]), autojunk=False
        ).ratio()
        assert ratio > 0.96, (mid, ratio, text)
        assert "|" not in text and " . " not in text
        # No phase markers or column debris left between the words.
        assert not re.search(r"[,;:]\.|\b(?!etc|bijv)\w{2,}\. [a-z]", text), (mid, text)
    # A few distinctive starts (short phrases) checked by hand against the guidance.
    assert result.texts["2.3"].startswith("Test en borg")
    assert result.texts["3.8"].startswith("Vitale infrastructuur")
    assert result.texts["4.6"].startswith("Burgemeester (en college)")
    assert result.texts["1.2"].startswith("Gemeenten zorgen ervoor")


@pytest.mark.parametrize("seed", [OCR_SEED, CLEAN_SEED])
def test_export_without_legends_or_footers_gives_the_same_texts(
    seeds_dir: Path, tmp_path: Path, seed: str
) -> None:
    """The legend under each table and the page footer may be images in another export:
    the rows must still end where they end."""
    text = (seeds_dir / seed).read_text(encoding="utf-8")
    reference = import_official_text(seeds_dir / seed).texts
    legend = re.compile(
        r"^\W*(?:A\s+)?(koude fase|warme fase|nafase|meest cruciale|vereniging van)", re.I
    )
    stripped = "\n".join(ln for ln in text.splitlines() if not legend.match(ln.strip()))
    assert stripped.count("\n") <= text.count("\n") - 10
    path = tmp_path / "zonder-legenda.txt"
    path.write_text(stripped, encoding="utf-8")
    assert import_official_text(path).texts == reference


# --------------------------------------------------------------------------- other forms
def _write_pdf(path: Path, oracle: dict[str, str]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for pillar in range(1, 7):
        y = 800
        lines = [f"{pillar}. Pijler {pillar}", "Bevoegd gezag: burgemeester", ""]
        lines.append("Maatregel Fase Eindverantwoordelijk Samenwerkingspartner")
        for mid, text in oracle.items():
            if mid.split(".")[0] == str(pillar):
                number = mid.split(".")[1]
                lines += textwrap.wrap(f"{number}. {text}", 95, break_on_hyphens=True)
        lines += ["", "Koude fase   Warme fase (<72 uur)   Warme fase (>72 uur)   Nafase"]
        for line in lines:
            pdf.drawString(40, y, line)
            y -= 14
        pdf.drawString(40, 30, f"Proefhandreiking weerbaarheid {pillar + 4}")
        pdf.showPage()
    pdf.save()


def test_pdf_with_wrapped_rows(tmp_path: Path, oracle, catalog_ids) -> None:
    path = tmp_path / "handreiking.pdf"
    _write_pdf(path, oracle)
    result = import_official_text(path)
    assert list(result.texts) == catalog_ids
    for mid, text in result.texts.items():
        assert _fold(text) == _fold(oracle[mid]), mid


def test_pdf_with_table_layout(tmp_path: Path, oracle, catalog_ids) -> None:
    """A PDF whose measure tables have real columns (wrapped cells side by side)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    story: list = []
    for pillar in range(1, 7):
        story.append(Paragraph(f"{pillar}. Pijler {pillar}", styles["Heading2"]))
        story.append(Paragraph("Bevoegd gezag: wethouder", styles["Normal"]))
        data: list = [["Maatregel", "Fase", "Eindverant-\nwoordelijk", "Samenwerkings-\npartner"]]
        for mid, text in oracle.items():
            if mid.split(".")[0] == str(pillar):
                data.append(
                    [
                        Paragraph(f"{mid.split('.')[1]}. {text}", styles["Normal"]),
                        "●",
                        Paragraph("Gemeenten", styles["Normal"]),
                        Paragraph(
                            "Veiligheidsregio's, maatschappelijke partners", styles["Normal"]
                        ),
                    ]
                )
        story.append(Table(data, colWidths=[300, 40, 80, 90], repeatRows=1))
        story.append(Paragraph("● Koude fase ● Warme fase (&lt;72 uur) ● Nafase", styles["Normal"]))
        story.append(PageBreak())
    path = tmp_path / "tabellen.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    result = import_official_text(path)
    assert list(result.texts) == catalog_ids
    for mid, text in result.texts.items():
        assert _fold(text) == _fold(oracle[mid]), mid


def test_docx_with_tables(tmp_path: Path, oracle, catalog_ids) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Handreiking (test)", 0)
    for pillar in range(1, 7):
        document.add_paragraph(f"{pillar}. Pijler {pillar}")
        document.add_paragraph("Bevoegd gezag: wethouder")
        rows = [(mid, t) for mid, t in oracle.items() if mid.split(".")[0] == str(pillar)]
        table = document.add_table(rows=1 + len(rows), cols=4)
        for cell, label in zip(
            table.rows[0].cells,
            ("Maatregel", "Fase", "Eindverantwoordelijk", "Samenwerkingspartner"),
            strict=True,
        ):
            cell.text = label
        for row, (mid, text) in zip(table.rows[1:], rows, strict=True):
            row.cells[0].text = f"{mid.split('.')[1]}. {text}"
            row.cells[2].text = "Gemeenten"
        document.add_paragraph("Koude fase, warme fase (<72 uur), warme fase (>72 uur), nafase")
    path = tmp_path / "handreiking.docx"
    document.save(str(path))
    result = import_official_text(path)
    assert list(result.texts) == catalog_ids
    for mid, text in result.texts.items():
        assert text == oracle[mid], mid


def test_explicit_numbers_and_a_missing_row(tmp_path: Path, oracle, catalog_ids) -> None:
    """Another edition might print "2.2" in the table and drop or add a measure."""
    lines = ["Maatregel | Eindverantwoordelijk | Samenwerkingspartner"]
    for mid, text in oracle.items():
        if mid != "4.3":
            lines.append(f"{mid} {text}")
        if mid.endswith(".1"):
            lines.append("Kopregel van de pagina")
    lines.append("Koude fase  Warme fase  Nafase")
    path = tmp_path / "editie.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_official_text(path)
    assert result.missing == ["4.3"]
    assert len(result.matched) == 40
    assert result.texts["4.4"] == oracle["4.4"]
    assert any("4.3" in note for note in result.notes)


def test_markdown_export_with_pillar_headings(tmp_path: Path, oracle, catalog_ids) -> None:
    lines = ["# Handreiking (proef)", ""]
    for pillar in range(1, 7):
        lines += [f"## Pijler {pillar}: Thema {pillar}", "", "Bevoegd gezag: college", ""]
        lines += ["| Maatregel | Fase | Eindverantwoordelijk | Samenwerkingspartner |"]
        lines += ["|---|---|---|---|"]
        for mid, text in oracle.items():
            if mid.split(".")[0] == str(pillar):
                lines.append(
                    f"| {mid.split('.')[1]}. {text} | ● | Gemeenten | Veiligheidsregio's |"
                )
        lines += ["", "● Koude fase ● Nafase", ""]
    path = tmp_path / "handreiking.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_official_text(path)
    assert list(result.texts) == catalog_ids
    assert result.pillars[3] == "Thema 3"
    for mid, text in result.texts.items():
        assert text == oracle[mid], mid


def test_tables_without_repeated_header_are_read_leniently(
    tmp_path: Path, oracle, catalog_ids
) -> None:
    lines = ["Maatregelen weerbaarheid en veerkracht", "Maatregel  Eindverantwoordelijk  Partner"]
    for pillar in range(1, 7):
        for mid, text in oracle.items():
            if mid.split(".")[0] == str(pillar):
                lines.append(f"{mid.split('.')[1]}. {text}")
        lines += ["Koude fase  Warme fase  Nafase", "Meest cruciale maatregel", ""]
    lines += ["Tot slot", "1. Een genummerde alinea na de tabellen hoort er niet bij."]
    path = tmp_path / "zonder-kop.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_official_text(path)
    assert list(result.texts) == catalog_ids
    assert result.texts["6.3"] == oracle["6.3"]
    assert any("ruimer" in note for note in result.notes)


def test_row_numbers_on_their_own_line(tmp_path: Path, oracle, catalog_ids) -> None:
    """Some PDF text layers put the list number apart from the row text."""
    lines = ["Maatregel", "Eindverantwoordelijk", "Samenwerkingspartner"]
    for mid, text in oracle.items():
        if mid.endswith(".1") and mid != "1.1":
            lines += ["Koude fase", "Maatregel", "Fase", "Eindverantwoordelijk"]
        lines += [f"{mid.split('.')[1]}.", *textwrap.wrap(text, 70), "Gemeenten"]
    lines.append("Koude fase")
    path = tmp_path / "losse-nummers.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_official_text(path)
    assert list(result.texts) == catalog_ids
    for mid, text in result.texts.items():
        assert _fold(text) == _fold(oracle[mid]), mid


def test_extra_measure_is_reported_not_stored(tmp_path: Path, workspace: Workspace, oracle) -> None:
    lines = ["Maatregel\tFase\tEindverantwoordelijk"]
    for mid, text in oracle.items():
        lines.append(f"{mid.split('.')[1]}. {text}\t●\tGemeenten")
        if mid == "6.3":
            lines.append(
                "4. Gemeenten doen in deze proefeditie iets nieuws dat nog niet in de catalogus staat.\t●\tGemeenten"
            )
    lines.append("Koude fase")
    path = tmp_path / "nieuw.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_official_file(workspace, path)
    assert result.unexpected == ["6.4"]
    stored = official_texts_for(workspace, result.catalog_version)
    assert len(stored) == 41 and "6.4" not in stored


# --------------------------------------------------------------------------- not the guidance
@pytest.mark.parametrize("name", ["002_237f6849cbddecec.txt", "004_cb4a0102c6a01d8b.txt"])
def test_other_seeds_are_not_the_guidance(seeds_dir: Path, workspace: Workspace, name: str) -> None:
    with pytest.raises(NotTheGuidance) as exc:
        import_official_file(workspace, seeds_dir / name)
    assert "niet de handreiking" in str(exc.value)
    with workspace.read() as conn:
        assert conn.execute(select(func.count()).select_from(official_texts)).scalar() == 0


def test_budgets_are_not_the_guidance(corpus_dir: Path) -> None:
    files = sorted(corpus_dir.glob("*.txt"))[:4]
    assert files
    for path in files:
        with pytest.raises(NotTheGuidance):
            import_official_text(path)


def test_partial_guidance_is_refused_and_keeps_earlier_import(
    seeds_dir: Path, tmp_path: Path, workspace: Workspace
) -> None:
    import_official_file(workspace, seeds_dir / CLEAN_SEED)
    text = (seeds_dir / CLEAN_SEED).read_text(encoding="utf-8")
    cut = text.index("3. Vitale voorzieningen")  # only the first two pillars remain
    partial = tmp_path / "deel.txt"
    partial.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(NotTheGuidance):
        import_official_file(workspace, partial)
    assert len(official_texts_for(workspace)) == 41


# --------------------------------------------------------------------------- storing
def test_reimport_is_idempotent(seeds_dir: Path, workspace: Workspace, oracle) -> None:
    first = import_official_file(workspace, seeds_dir / OCR_SEED)
    stored = official_texts_for(workspace, first.catalog_version)
    import_official_file(workspace, seeds_dir / OCR_SEED)
    assert official_texts_for(workspace, first.catalog_version) == stored
    with workspace.read() as conn:
        rows = conn.execute(select(official_texts)).all()
    assert len(rows) == 41
    assert {r.source_name for r in rows} == {OCR_SEED}
    # A later import of another copy replaces the texts.
    import_official_file(workspace, seeds_dir / CLEAN_SEED)
    assert official_texts_for(workspace, first.catalog_version) == oracle


def test_cli_import_json_and_error(seeds_dir: Path, tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    result = runner.invoke(
        app, ["catalogus", "importeer", str(seeds_dir / OCR_SEED), "-w", ws, "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["found"] == 41 and data["matched"] == 41 and data["missing"] == []
    result = runner.invoke(app, ["catalogus", "importeer", str(seeds_dir / CLEAN_SEED), "-w", ws])
    assert result.exit_code == 0, result.output
    assert "41 van 41" in result.stdout
    result = runner.invoke(
        app, ["catalogus", "importeer", str(seeds_dir / "004_cb4a0102c6a01d8b.txt"), "-w", ws]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, NotTheGuidance)
