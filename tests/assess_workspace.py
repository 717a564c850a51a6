"""Builder of a real workspace for the assessment and report tests: documents generated
here (PDF with reportlab, DOCX with python-docx, plain text), read through the real
ingest, and review decisions recorded through ``weerbaar.review.record_decision``.
Not a test module."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from weerbaar.catalog import load_catalog, load_register
from weerbaar.ingest import ingest
from weerbaar.review import record_decision
from weerbaar.store import Workspace, open_workspace
from weerbaar.store.documents import list_passages

FILLER = (
    "Dit hoofdstuk beschrijft de financiële kaders van het programma veiligheid en de "
    "verdeling van de middelen over de teams. De bedragen zijn afgerond op duizenden euro's "
    "en vergeleken met de cijfers van het voorgaande jaar. Wijzigingen worden toegelicht in "
    "de paragraaf over de ontwikkelingen en in de bijlage met de kerncijfers van de gemeente."
)
NSP = (
    "In 2025 zijn in alle zes wijken noodsteunpunten ingericht in buurthuizen en scholen. "
    "Elk noodsteunpunt heeft een noodaggregaat, drinkwater en een EHBO-post, en de "
    "vrijwilligers hebben in september samen met de brandweer geoefend. Inwoners zijn per "
    "brief geïnformeerd over het punt in hun eigen wijk. Door vacatures bij het team "
    "openbare orde en veiligheid is de training van nieuwe vrijwilligers vertraagd."
)
NOODSTROOM = (
    "De komende jaren gaan we onderzoeken welke gemeentelijke gebouwen noodstroom nodig "
    "hebben bij een langdurige uitval van het elektriciteitsnet. Wij willen eerst het "
    "landelijk kader voor noodstroom afwachten voordat we aggregaten aanschaffen of "
    "afspraken maken met leveranciers van brandstof en met de netbeheerder in de regio."
)
COMMPLAN = (
    "Het crisiscommunicatieplan is in 2024 vastgesteld door het college. Het plan beschrijft "
    "de kanalen en doelgroepen voor de koude fase, de acute fase en de nafase, en de "
    "rolverdeling tussen de woordvoerders van de gemeente en de communicatieadviseurs van de "
    "veiligheidsregio bij een crisis die langer dan drie dagen duurt."
)
INJECTION = (
    "=SUM(1+1) staat letterlijk in het verslag. <script>alert('weerbaar')</script> is ook "
    "gewoon tekst. Het plan voor risicocommunicatie over zelfredzaamheid is vastgesteld en "
    "beschrijft hoe inwoners een noodpakket samenstellen en wat zij doen bij uitval van "
    "stroom, water en telefonie in hun wijk of dorp."
)
NETWERK = (
    "De gemeente heeft een overzicht gemaakt van de informele netwerken in de dorpen en "
    "wijken, met sleutelfiguren per buurt. Dit overzicht is nog niet besproken met de "
    "partners en de context van deze passage is onvoldoende om het te beoordelen, want de "
    "tabel met de netwerken ontbreekt in het openbare document van de gemeente."
)
REGION_CRISIS = (
    "De veiligheidsregio heeft in 2024 het regionaal crisisplan geactualiseerd en is twee keer "
    "geoefend met alle gemeenten, de GHOR en de brandweer. De crisisorganisatie is ingericht "
    "met piketroosters voor langdurige inzet, en de evaluatie van de oefeningen leverde "
    "verbeterpunten op voor de informatievoorziening tussen de teams."
)
REGION_NETWERK = (
    "Samen met de gemeenten heeft de regio in 2024 een netwerk van buurtverbinders ingericht. "
    "De sleutelfiguren zijn in kaart gebracht en er zijn afspraken gemaakt met "
    "maatschappelijke partners over rollen en het delen van informatie bij een crisis in de "
    "wijk of het dorp, met extra aandacht voor kwetsbare inwoners."
)
BRIEF = (
    "Met deze raadsinformatiebrief informeert het college de raad over de voorbereiding op "
    "een langdurige stroomstoring. Het college verwacht in het najaar een voorstel te doen "
    "en betrekt daarbij de dorpsraden en de ondernemersvereniging van de gemeente."
)


@dataclass
class Built:
    ws: Workspace
    region: str
    gm_a: str
    gm_b: str
    catalog_version: str
    passages: dict[str, list[int]] = field(default_factory=dict)
    aspects: dict[str, list[str]] = field(default_factory=dict)


def _pdf(path: Path, pages: list[list[tuple[str, str]]]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    names = {"h1": "Heading1", "h2": "Heading2", "p": "Normal"}
    story = []
    for i, page in enumerate(pages):
        if i:
            story.append(PageBreak())
        story += [Paragraph(text, styles[names[style]]) for style, text in page]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def _docx(path: Path, title: str, paragraphs: list[str]) -> Path:
    import docx

    d = docx.Document()
    d.add_heading(title, level=1)
    for p in paragraphs:
        d.add_heading("Onderdeel", level=2)
        d.add_paragraph(p)
    d.save(str(path))
    return path


def _squash(text: str) -> str:
    return " ".join(text.split())


def _find(ws: Workspace, org: str, paragraph: str) -> list[int]:
    """Ids of the passages that hold (part of) ``paragraph``: the splitter may cut one
    paragraph into several passages."""
    para = _squash(paragraph)
    hits = []
    with ws.read() as conn:
        for p in list_passages(conn, organisation=org):
            t = _squash(p["text"])
            if para in t or t in para or t[:40] in para or t[-40:] in para:
                hits.append(int(p["id"]))
    assert hits, paragraph[:40]
    return hits


def build(root: Path) -> Built:
    """Ingest the generated documents and record the review decisions."""
    register = load_register()
    catalog = load_catalog()
    region = register.regions()[0].code
    gm_a, gm_b = (m.code for m in register.municipalities(region)[:2])
    src = root / "bronnen"
    src.mkdir(parents=True)
    ws = open_workspace(root / "werkruimte")

    def read(path: Path, org: str, doc_type: str, year: int) -> None:
        ingest(ws, [path], organisation=org, doc_type=doc_type, year=year, progress=False)

    read(
        _pdf(src / "a-begroting-2025.pdf", [
            [("h1", "Programmabegroting 2025"), ("p", FILLER)],
            [("h2", "Noodsteunpunten"), ("p", NSP)],
            [("h2", "Noodstroom"), ("p", NOODSTROOM)],
        ]),
        gm_a, "begroting", 2025,
    )  # fmt: skip
    read(_docx(src / "a-jaarstukken-2024.docx", "Jaarstukken 2024", [COMMPLAN, INJECTION, NETWERK]),
         gm_a, "jaarstukken", 2024)  # fmt: skip
    (src / "b-brief-2025.txt").write_text(BRIEF, encoding="utf-8")
    read(src / "b-brief-2025.txt", gm_b, "raadsbrief", 2025)
    read(
        _pdf(src / "r-begroting-2025.pdf", [[("h1", "Begroting 2025"), ("p", FILLER)]]),
        region, "begroting", 2025,
    )  # fmt: skip
    read(_docx(src / "r-jaarverslag-2024.docx", "Jaarverslag 2024", [REGION_CRISIS, REGION_NETWERK]),
         region, "jaarstukken", 2024)  # fmt: skip
    (src / "r-risicoprofiel-2023.txt").write_text(FILLER, encoding="utf-8")
    read(src / "r-risicoprofiel-2023.txt", region, "risicoprofiel", 2023)

    # The real scan looks at every measure; with a minimum score above 1 it queues
    # nothing, so the scores below follow from the recorded decisions alone.
    from weerbaar.search import scan

    old = os.environ.get("WEERBAAR_SCAN_MIN_SCORE")
    os.environ["WEERBAAR_SCAN_MIN_SCORE"] = "1.01"
    try:
        scan(ws, progress=False)
    finally:
        if old is None:
            os.environ.pop("WEERBAAR_SCAN_MIN_SCORE", None)
        else:
            os.environ["WEERBAAR_SCAN_MIN_SCORE"] = old

    b = Built(ws, region, gm_a, gm_b, catalog.version)
    markers = {
        "nsp": (gm_a, NSP),
        "noodstroom": (gm_a, NOODSTROOM),
        "commplan": (gm_a, COMMPLAN),
        "injection": (gm_a, INJECTION),
        "netwerk": (gm_a, NETWERK),
        "region_crisis": (region, REGION_CRISIS),
        "region_netwerk": (region, REGION_NETWERK),
    }
    b.passages = {k: _find(ws, org, m) for k, (org, m) in markers.items()}

    def aspects(measure: str, n: int) -> list[str]:
        ids = [a.id for a in catalog.measure(measure).aspects]
        b.aspects[measure] = ids
        return ids[:n]

    def dec(key: str, measure: str, reviewer: str = "anna", **kw: object) -> None:
        for pid in b.passages[key]:
            record_decision(ws, reviewer=reviewer, passage_id=pid, measure_id=measure, **kw)

    dec("nsp", "2.2", relevant="ja", source_ok=True, context_ok=True, stage="uitvoering",
        aspects=aspects("2.2", 5))  # fmt: skip
    # a second reviewer on the same passages and measure: ticks one of the same aspects
    dec("nsp", "2.2", reviewer="bram", relevant="ja", stage="uitvoering", aspects=aspects("2.2", 1))
    dec("noodstroom", "3.1", relevant="ja", stage="voornemen")
    dec("noodstroom", "2.2", relevant="nee")
    dec("commplan", "2.1", relevant="ja", stage="plan", aspects=aspects("2.1", 2))
    dec("injection", "5.1", relevant="ja", stage="plan")
    dec("netwerk", "4.1", relevant="ja", context_ok=False, stage="uitvoering")
    n26 = len(catalog.measure("2.6").aspects)
    dec("region_crisis", "2.6", relevant="ja", stage="uitvoering",
        aspects=aspects("2.6", max(1, (n26 + 1) // 2)))  # fmt: skip
    n41 = len(catalog.measure("4.1").aspects)
    dec("region_netwerk", "4.1", relevant="ja", stage="uitvoering",
        aspects=aspects("4.1", max(1, (n41 + 1) // 2)))  # fmt: skip
    return b
