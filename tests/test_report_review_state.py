"""Reports tell the truth about what was reviewed and read: measures whose scan passages
wait for review are "Nog niet beoordeeld" (not Laag), unreadable documents are named,
findings are never stated on a base of 0, and a scope without documents says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lhtml
from openpyxl import load_workbook

from assess_workspace import Built, build
from weerbaar.assess.aggregate import compute
from weerbaar.assess.model import AspectInfo, DocumentInfo, Evidence, MeasureInfo, OrgInfo
from weerbaar.errors import UnknownOrganisation
from weerbaar.ingest import ingest
from weerbaar.report import write_reports
from weerbaar.report.build import Scope, build_context
from weerbaar.store.candidates import replace_candidates
from weerbaar.store.documents import list_passages

STAMP = "2026-01-01 12:00 UTC"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_of(path: Path) -> str:
    return squash(lhtml.fromstring(path.read_text(encoding="utf-8")).text_content())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The shared test workspace, plus: a corrupt PDF of the second municipality and
    candidates of the scan in the review queue (written by the store's queue function)."""
    root = tmp_path_factory.mktemp("queue")
    b = build(root)
    broken = root / "bronnen" / "b-jaarstukken-2024-kapot.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00kapot" * 50)
    ingest(b.ws, [broken], organisation=b.gm_b, doc_type="jaarstukken", year=2024,
           progress=False)  # fmt: skip
    with b.ws.read() as conn:
        a_ids = [p["id"] for p in list_passages(conn, organisation=b.gm_a)]
        r_ids = [p["id"] for p in list_passages(conn, organisation=b.region)]
    with b.ws.write() as conn:
        for org, measure, ids in (
            (b.gm_a, "1.1", a_ids[:4]),  # nobody decided: open
            (b.region, "1.1", r_ids[:2]),
            (b.gm_a, "2.2", a_ids[-1:]),  # next to validated evidence (Hoog)
        ):
            replace_candidates(conn, scan_run_id=None, catalog_version=b.catalog_version,
                               measure_id=measure, organisation_code=org,
                               rows=[(p, 1.0) for p in ids], method="test")  # fmt: skip
    yield b
    b.ws.close()


@pytest.fixture(scope="module")
def region_files(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("regio")
    files = write_reports(built.ws, out, scope=f"regio:{built.region}",
                          formats="html,xlsx,md,json", generated_at=STAMP)  # fmt: skip
    return {f.name: f for f in files}


def test_report_not_yet_assessed_is_shown_as_such(
    built: Built, region_files: dict[str, Path]
) -> None:
    html = region_files[f"rapport-regio-{built.region}.html"]
    doc = lhtml.fromstring(html.read_text(encoding="utf-8"))
    row = next(
        tr for tr in doc.xpath("//table[contains(@class,'heat')]//tbody/tr")
        if tr.xpath("./th")[0].text_content().startswith("1.1")
    )  # fmt: skip
    cells = row.xpath("./td")
    assert {c.text_content() for c in cells} == {"NB", "?"}  # gm_b lacks sources
    assert all(c.get("class") == "s-nb" for c in cells if c.text_content() == "NB")
    assert all(c.get("title") == "Nog niet beoordeeld" for c in cells if c.get("class") == "s-nb")
    text = text_of(html)
    assert "NB = nog niet beoordeeld" in text
    assert "Beeld in de regio" in text and "Landelijk beeld" not in text
    # the review queue per organisation: reviewed / total
    assert "0 van 5 (0%)" in text
    assert "passages bij een maatregel gecontroleerd: 0 van 7, gevalideerd:" in text
    # open data and workbook carry the new state
    import json

    data = json.loads(region_files[f"rapport-regio-{built.region}.json"].read_text("utf-8"))
    rows = {(r["organisation"], r["measure"]): r for r in data["scores"]}
    r11 = rows[(built.gm_a, "1.1")]
    assert r11["score"] == "Nog niet beoordeeld" and r11["open_candidates"] == 4
    assert rows[(built.gm_a, "2.2")]["score"] == "Hoog"
    assert rows[(built.gm_a, "2.2")]["open_candidates"] == 1
    m11 = next(m for m in data["measures"] if m["measure"] == "1.1")
    assert m11["nog_niet_beoordeeld"] == 2 and m11["national_class"] == (
        "nog onvoldoende beoordeeld"
    )
    wb = load_workbook(region_files[f"rapport-regio-{built.region}.xlsx"])
    ws = wb["Maatregelen"]
    header = [c.value for c in ws[1]]
    assert "Nog niet beoordeeld" in header and "Beeld in de regio" in header
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "1.1")
    assert row[header.index("Nog niet beoordeeld")] == 2
    assert row[header.index("Laag")] == 0
    md = region_files[f"rapport-regio-{built.region}.md"].read_text(encoding="utf-8")
    assert "Nog niet beoord." in md and "| Beeld in de regio |" in md


def test_report_council_page_names_unread_documents_and_review_state(
    built: Built, region_files: dict[str, Path]
) -> None:
    b_page = text_of(region_files[f"raadslid-{built.gm_b}.html"])
    assert "b-jaarstukken-2024-kapot.pdf (beschadigd)" in b_page
    a_page = text_of(region_files[f"raadslid-{built.gm_a}.html"])
    assert (
        "De computer legde 5 keer een tekstfragment bij een maatregel voor; een mens heeft er "
        "0 (0%) nagekeken." in a_page
    )
    assert "1: nog niet gecontroleerd" in a_page
    report = text_of(region_files[f"rapport-regio-{built.region}.html"])
    assert "b-jaarstukken-2024-kapot.pdf" in report and "beschadigd" in report
    wb = load_workbook(region_files[f"rapport-regio-{built.region}.xlsx"])
    rows = list(wb["Bronnen"].iter_rows(values_only=True))
    unread = rows[0].index("Niet te lezen")
    b_row = next(r for r in rows if r[0] == built.gm_b)
    assert b_row[unread] == "b-jaarstukken-2024-kapot.pdf (beschadigd)"
    assert b_row[rows[0].index("Voldoende")] == "nee"


def test_report_xlsx_shows_labels_and_file_names(
    built: Built, region_files: dict[str, Path]
) -> None:
    wb = load_workbook(region_files[f"rapport-regio-{built.region}.xlsx"])
    values = [v for r in wb["Maatregelen"].iter_rows(values_only=True) for v in r if v]
    assert not any("plan_zonder_uitvoering" in str(v) or "capaciteitstekort" in str(v)
                   for v in values)  # fmt: skip
    assert any("Tekort aan capaciteit of personeel (1)" in str(v) for v in values)
    ev = list(wb["Bewijs"].iter_rows(values_only=True))
    col = ev[0].index("Bestand")
    files = {r[col] for r in ev[1:]}
    assert "a-begroting-2025.pdf" in files and "r-jaarverslag-2024.docx" in files
    assert not any("/" in f for f in files)


def test_report_scope_without_documents(built: Built, tmp_path: Path) -> None:
    files = write_reports(built.ws, tmp_path, scope="organisatie:Utrecht",
                          formats="html,md", generated_at=STAMP)  # fmt: skip
    html = next(f for f in files if f.name.startswith("rapport-"))
    text = text_of(html)
    assert "Geen documenten ingelezen" in text and "Weerbaarheid en veerkracht: Utrecht" in text
    assert "Kernhiaten" not in text and "Landelijk beeld" not in text
    assert "organisaties" not in text.split("Let op")[0]  # header: Utrecht, not "2 organisaties"
    files = write_reports(built.ws, tmp_path, scope="regio:VR06", formats="html,json",
                          generated_at=STAMP)  # fmt: skip
    text = text_of(tmp_path / "rapport-regio-VR06.html")
    assert "Veiligheidsregio Noord- en Oost-Gelderland en gemeenten" in text
    assert "1 organisatie (" in text and "1 organisaties" not in text
    assert "Geen documenten ingelezen" in text and "kernhiaten" not in text.lower()
    import json

    data = json.loads((tmp_path / "rapport-regio-VR06.json").read_text("utf-8"))
    assert data["aggregates"]["regions"][0]["name"] == "Noord- en Oost-Gelderland"
    with pytest.raises(UnknownOrganisation):
        write_reports(built.ws, tmp_path, scope="regio:VR77", formats="md")


# --------------------------------------------------------------------------- findings
def _measure(mid: str) -> MeasureInfo:
    title = {"2.2": "Noodsteunpunten", "6.2": "Jeugd"}[mid]
    return MeasureInfo(mid, int(mid[0]), title, True, (AspectInfo(f"{mid}.a", "a"),))


def _findings(evidence: list[Evidence], queue: dict | None = None) -> list[str]:
    orgs = [OrgInfo(f"GM900{i}", f"Gemeente {i}", "gemeente", None) for i in (1, 2, 3)]
    a = compute(
        catalog_version="t",
        measures=[_measure("2.2"), _measure("6.2")],
        pillar_names={2: "Crisis", 6: "Samenleving"},
        organisations=orgs,
        documents=[DocumentInfo(i, o.code, "begroting", 2025, "b") for i, o in enumerate(orgs)],
        evidence=evidence,
        reference_year=2025,
        queue=queue,
    )
    c = build_context(a, Scope("landelijk"), generated_at=STAMP)
    return [f.text for f in c.findings]


def _ev(pid: int, org: str, measure: str, stage: str) -> Evidence:
    return Evidence(pid, pid, org, measure, "Tekst.", 1, 1, stage, "beoordelaar",
                    (f"{measure}.a",), year=2025)  # fmt: skip


def test_report_findings_never_on_a_base_of_zero() -> None:
    # nothing scores Hoog: no "most often arranged" finding, and 6.2 is not named twice
    text = " ".join(_findings([]))
    assert "vaakst aantoonbaar" not in text
    assert text.count("6.2") <= 1
    # one Hoog for 2.2, Laag elsewhere: 2.2 is best, the worst is another measure
    text = " ".join(_findings([_ev(1, "GM9001", "2.2", "uitvoering")]))
    assert "2.2 (Noodsteunpunten) het vaakst aantoonbaar geregeld: 1 van de 3" in text
    assert "minst zichtbaar is 6.2" in text
    # most organisations not yet assessed: no class "nauwelijks", no best/worst
    queue = {(f"GM900{i}", m): (2, 2) for i in (2, 3) for m in ("2.2", "6.2")}
    findings = _findings([_ev(1, "GM9001", "2.2", "uitvoering")], queue)
    text = " ".join(findings)
    assert "0 nauwelijks geïmplementeerd; 2 nog onvoldoende beoordeeld" in text
    assert "vaakst" not in text and "minst zichtbaar" not in text
    assert "4 van de 6 scores (organisatie × maatregel) zijn daardoor nog niet beoordeeld" in text
