"""Reports tell the truth and travel well: every claim has its source, no output holds a
path of the machine that made it, example sentences come from the data, the reader gets
the definitions first, and the council page's questions are grammatical Dutch."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import html as lhtml
from openpyxl import load_workbook
from pypdf import PdfReader

from assess_workspace import Built, build
from weerbaar.assess.aggregate import compute
from weerbaar.assess.model import AspectInfo, DocumentInfo, Evidence, MeasureInfo, OrgInfo
from weerbaar.catalog import load_catalog
from weerbaar.report import ReportError, write_reports
from weerbaar.report.build import GLOSSARY, Scope, build_context
from weerbaar.report.council import TOPICS, council_question
from weerbaar.store.documents import page_texts

STAMP = "2026-01-01 12:00 UTC"
APP = "https://weerbaar.example.nl"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    b = build(tmp_path_factory.mktemp("waarheid"))
    yield b
    b.ws.close()


@pytest.fixture(scope="module")
def region_out(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("regio-uit")
    write_reports(built.ws, out, scope=f"regio:{built.region}", generated_at=STAMP)
    return out


def _pdf_text_and_links(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    uris = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return text + "\n" + "\n".join(uris)


def _all_text(path: Path) -> str:
    """What a reader (or a program) can find in an output file, links included."""
    if path.suffix == ".pdf":
        return _pdf_text_and_links(path)
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_text(encoding="utf-8")


MACHINE_PATH = re.compile(r"(?<![\w.:/])/(?:home|tmp|root|Users|var|srv|mnt|work|opt)/|[A-Z]:\\")


def test_report_no_machine_path_in_any_output(
    built: Built, region_out: Path, tmp_path: Path
) -> None:
    """HTML, PDF (text and link annotations), XLSX (every XML part), Markdown, JSON, CSV,
    council pages and the self-assessment's action plan: no file:// link, no absolute path,
    no path of the workspace's stored files."""
    from weerbaar.selfassess.service import write_action_plan
    from weerbaar.store.documents import list_documents

    with built.ws.read() as conn:
        stored = [d["stored_path"] for d in list_documents(conn) if d.get("stored_path")]
    assert stored
    files = sorted(region_out.iterdir())
    files += write_action_plan(
        built.ws, built.gm_a, "Gemeente A", tmp_path, formats=("xlsx", "pdf")
    )
    kinds = {f.suffix for f in files}
    assert {".html", ".pdf", ".xlsx", ".md", ".json", ".csv"} <= kinds
    assert any(f.name.startswith("raadslid-") for f in files)
    for f in files:
        text = _all_text(f)
        assert "file:" not in text, f.name
        for root in (built.ws.root, region_out, tmp_path, Path.home()):
            assert str(root) not in text, (f.name, root)
        assert not MACHINE_PATH.search(text), (f.name, MACHINE_PATH.search(text))
        for p in stored:
            assert p not in text, (f.name, p)


def test_report_citations_link_to_the_app_only_when_its_address_is_given(
    built: Built, tmp_path: Path
) -> None:
    files = write_reports(
        built.ws, tmp_path, scope=f"organisatie:{built.gm_a}", formats="html,pdf,json",
        generated_at=STAMP, app_url=APP + "/",
    )  # fmt: skip
    page = next(f for f in files if f.name.endswith(".html")).read_text(encoding="utf-8")
    doc = lhtml.fromstring(page)
    quotes = doc.xpath("//blockquote[@data-passage]")
    assert quotes
    for q in quotes:
        assert q.xpath(".//a/@href") == [f"{APP}/passages/{q.get('data-passage')}"]
    links = _pdf_text_and_links(next(f for f in files if f.suffix == ".pdf"))
    assert f"{APP}/passages/" in links
    with pytest.raises(ReportError, match="Ongeldig adres"):
        write_reports(built.ws, tmp_path / "x", formats="html", app_url="file:///etc")


def test_report_every_finding_names_its_source(built: Built, region_out: Path) -> None:
    """Each key finding of the region report either cites passages (organisation,
    document, page, passage id; the quoted passage is really on that page) or says what
    it rests on; a finding about what was found always cites."""
    from weerbaar.assess import assess

    a = assess(built.ws, region=built.region)
    c = build_context(a, Scope("regio", built.region), generated_at=STAMP)
    assert c.findings
    found_words = ("aantoonbaar geregeld", "knelpunt", "Voorbeeld")
    with built.ws.read() as conn:
        for f in c.findings:
            assert f.sources or f.basis, f.text
            if any(w in f.text for w in found_words):
                assert f.sources, f.text
            for q in f.sources:
                assert q.document and q.page.startswith("p. ") and q.passage_id
                pages = [
                    p["text"]
                    for p in page_texts(conn, q.document_id)
                    if q.page_start <= p["page_no"] <= q.page_end
                ]
                assert squash(q.text) in squash(" ".join(pages))
    text = squash(lhtml.fromstring((region_out / f"rapport-regio-{built.region}.html").read_text(
        encoding="utf-8")).text_content())  # fmt: skip
    assert "Bron: " in text and ", passage " in text
    md = (region_out / f"rapport-regio-{built.region}.md").read_text(encoding="utf-8")
    assert "  - Bron: " in md
    data = json.loads((region_out / f"rapport-regio-{built.region}.json").read_text("utf-8"))
    assert [f["text"] for f in data["findings"]] == [f.text for f in c.findings]
    assert all(f["sources"] or f["basis"] for f in data["findings"])
    cited = [s for f in data["findings"] for s in f["sources"]]
    assert cited and all(s["document"] and s["page_start"] and s["passage_id"] for s in cited)
    wb = load_workbook(region_out / f"rapport-regio-{built.region}.xlsx")
    rows = list(wb["Bevindingen"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [f.text for f in c.findings]
    assert all(r[2] or r[3] for r in rows) and any(", passage " in (r[2] or "") for r in rows)


def test_council_page_cites_per_statement(built: Built, region_out: Path) -> None:
    doc = lhtml.fromstring((region_out / f"raadslid-{built.gm_a}.html").read_text("utf-8"))
    rows = doc.xpath("//table[contains(@class,'council')]/tbody/tr")
    assert len(rows) == 12
    for tr in rows:
        found, source = (squash(td.text_content()) for td in tr.xpath("./td")[:2])
        if found.startswith(("H ", "M ")) or "voornemens" in found:
            assert re.search(r"p\. \d+.*\(passage \d+\)", source), source
        else:
            assert source, found  # what the statement rests on


def _assessment(evidence: list[Evidence]) -> object:
    orgs = [OrgInfo(f"GM900{i}", f"Gemeente {i}", "gemeente", None) for i in (1, 2)]
    measures = [
        MeasureInfo("2.2", 2, "Noodsteunpunten", True, (AspectInfo("2.2.a", "a"),), ("3.1",)),
        MeasureInfo("3.1", 3, "Noodstroom", True, (AspectInfo("3.1.a", "a"),)),
        MeasureInfo("5.2", 5, "Informeren", True, (AspectInfo("5.2.a", "a"),), ("2.2",)),
    ]
    return compute(
        catalog_version="t",
        measures=measures,
        pillar_names={2: "Crisis", 3: "Vitaal", 5: "Inwoners"},
        organisations=orgs,
        documents=[DocumentInfo(i, o.code, "begroting", 2025, "b") for i, o in enumerate(orgs)],
        evidence=evidence,
        reference_year=2025,
    )


def _ev(pid: int, org: str, measure: str, stage: str = "uitvoering") -> Evidence:
    return Evidence(pid, pid % 2, org, measure, "Tekst.", 2, 2, stage, "beoordelaar",
                    (f"{measure}.a",), doc_type="begroting", year=2025)  # fmt: skip


def test_report_example_sentences_follow_the_data() -> None:
    """The dependency example is computed: other data, other example (no fixed sentence
    about noodsteunpunten without power)."""
    one = _assessment([_ev(1, "GM9001", "2.2")])
    two = _assessment([_ev(2, "GM9002", "5.2"), _ev(3, "GM9002", "3.1")])
    texts = []
    for a in (one, two):
        flags = a.dependency_flags  # type: ignore[attr-defined]
        assert flags
        c = build_context(a, Scope("landelijk"), generated_at=STAMP)  # type: ignore[arg-type]
        f = next(f for f in c.findings if "voorwaarde" in f.text)
        for flag in flags:
            assert f"{flag.measure} (" in f.text and f"{flag.depends_on} (" in f.text
        assert f.sources and all(q.measure in {x.measure for x in flags} for q in f.sources)
        assert "zonder noodstroom" not in f.text
        texts.append(f.text)
    assert texts[0] != texts[1]
    assert "Gemeente 1: 2.2 (Noodsteunpunten)" in texts[0]
    assert "Gemeente 2: 5.2 (Informeren)" in texts[1]


def test_report_reader_gets_definitions_before_use(region_out: Path, built: Built) -> None:
    """Levels, 'spreiding' and every abbreviation are explained near the top, before the
    findings; no reference to files of the repository."""
    page = (region_out / f"rapport-regio-{built.region}.html").read_text(encoding="utf-8")
    doc = lhtml.fromstring(page)
    text = squash(doc.xpath("//body")[0].text_content())
    intro = text[: text.index("Belangrijkste bevindingen")]
    for term in ("Hoog", "Midden", "Laag", "Onvoldoende bronnen", "Nog niet beoordeeld"):
        assert term in intro
    assert "Spreiding" in intro and "eenduidig" in intro and "sterk wisselend" in intro
    dl = doc.xpath("//section[@id='lezen']//dl")[-1]
    explained = {squash(dt.text_content()) for dt in dl.xpath("./dt")}
    assert "VNG" in explained and explained <= {t.term for t in GLOSSARY}
    for q in doc.xpath("//blockquote"):  # quotes are the source's own words
        q.drop_tree()
    body = squash(" ".join(doc.xpath("//body")[0].itertext()))
    body = body[body.index("Belangrijkste bevindingen") :]
    for word in set(re.findall(r"\b[A-Z]{2,}[a-z]?\b", body)) - {"NB", "UTC", "II", "ID"}:
        assert word in explained, word  # every abbreviation is explained before it is used
    assert "docs/" not in page and ".md" not in text
    assert "Controle door mensen." in intro


COUNCIL_QUESTIONS = [
    "Hoe staat het met het in kaart brengen en borgen van de kritieke processen van de gemeente (maatregel 1.1), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de rangorde van de kritieke processen in het bedrijfscontinuïteitsmanagement (maatregel 1.2), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met een informatievoorziening die ook offline en bij storingen werkt (maatregel 1.3), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de afspraken met ICT- en cloudleveranciers over de digitale infrastructuur (maatregel 1.4), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het oefenen van een langdurige crisis met de hele organisatie (maatregel 1.5), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de afspraken over interne communicatie en gevoelige informatie (maatregel 1.6), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de continuïteit van het eigen personeel (maatregel 1.7), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het communicatieplan voor inwoners vóór, tijdens en na een crisis (maatregel 2.1), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de noodsteunpunten in de wijken (maatregel 2.2), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de noodcommunicatievoorziening en de crisisnoodlijn, ook op noodstroom (maatregel 2.3), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de afspraken met de veiligheidsregio over bevolkingszorg, ook na 72 uur (maatregel 2.4), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de bijdrage van de gemeente aan een actueel beeld van de situatie (maatregel 2.5), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de alternatieve en analoge communicatiemiddelen van de hulpdiensten (maatregel 2.6), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de rol van sleutelfiguren in de crisiscommunicatie (maatregel 2.7), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de plaats van burgerhulpverlening in de crisisplannen (maatregel 2.8), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met noodstroom en andere alternatieven voor de stroomvoorziening (maatregel 3.1), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het protocol en de noodwaterpunten voor als het drinkwater uitvalt (maatregel 3.2), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het doorgaan van de afvalinzameling en de afvalverwerking (maatregel 3.3), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met een eigen energievoorziening in corporatiewoningen (maatregel 3.4), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de voedselvoorziening voor kwetsbare inwoners (maatregel 3.5), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de sanitaire voorzieningen voor als riolering of waterdruk uitvalt (maatregel 3.6), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de aanrijroutes en uitvalswegen in de verkeersplannen (maatregel 3.7), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het versterken van wegen, bruggen en dijken in eigen beheer (maatregel 3.8), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het doorgaan van het openbaar vervoer (maatregel 3.9), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de crisisplannen die met vervoersbedrijven zijn gemaakt (maatregel 3.10), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het in kaart brengen en versterken van de netwerken in de wijken (maatregel 4.1), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de steun voor bewonersinitiatieven en participatie in de wijken (maatregel 4.2), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het inzetten van sleutelfiguren, vrijwilligers en netwerken in een crisis (maatregel 4.3), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de dienstverlening die de bestaanszekerheid van inwoners versterkt (maatregel 4.4), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met een herkenbare wijkagent en sociaal werker in elke wijk (maatregel 4.5), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het gesprek met inwoners en ondernemers over weerbaarheid (maatregel 4.6), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de meldpunten en het volgen van spanningen in de samenleving (maatregel 4.7), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de voorlichting aan inwoners over wat zij zelf kunnen doen (maatregel 5.1), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het informeren van inwoners en ondernemers over hun noodsteunpunt (maatregel 5.2), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met een brede oefening samen met inwoners, verenigingen en ondernemers (maatregel 5.3), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de digitale weerbaarheid van inwoners en ondernemers (maatregel 5.4), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met trainingen in eerste hulp en crisisvaardigheden voor inwoners (maatregel 5.5), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de afspraken met hulporganisaties zoals het Rode Kruis en het Leger des Heils (maatregel 5.6), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met het doorgaan van verkiezingen en raadsvergaderingen bij een verstoring (maatregel 6.1), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de publieke gezondheidszorg, de zorg en hulp thuis en de jeugdhulp in een crisis (maatregel 6.2), ook als dat niet in openbare stukken staat?",
    "Hoe staat het met de capaciteit van crematoria en mortuaria in een crisis (maatregel 6.3), ook als dat niet in openbare stukken staat?",
]  # fmt: skip


def test_council_questions_for_all_41_measures_are_grammatical() -> None:
    """Every measure of the catalogue gets a question from our own topic list; checked
    word for word against the list above (read and approved as Dutch), and for the mistakes
    the old template made: a title pasted into a sentence, doubled words, split words."""
    ids = [m.id for m in load_catalog().measures]
    assert len(ids) == 41 and set(TOPICS) == set(ids)
    assert [council_question(mid) for mid in ids] == COUNCIL_QUESTIONS
    titles = {m.id: m.title for m in load_catalog().measures}
    for mid, q in zip(ids, COUNCIL_QUESTIONS, strict=True):
        assert titles[mid] not in q  # a title is a heading, not a phrase for a sentence
        assert not re.search(r"\b(\w+) \1\b", q) and "  " not in q and q.count("?") == 1


def test_council_page_has_no_split_words(built: Built, region_out: Path) -> None:
    """The one-pager fits one A4 page and no word is broken over two lines."""
    pdf = region_out / f"raadslid-{built.gm_a}.pdf"
    assert len(PdfReader(pdf).pages) == 1
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert not re.findall(r"\w+[a-zà-ÿ]-\n[a-zà-ÿ]\w*", text)  # "proces-" / "sen"
    assert "Hoe staat het met" in text
