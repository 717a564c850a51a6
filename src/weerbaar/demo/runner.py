"""``weerbaar demo``: the whole scan on the fictional demo region, in one call.

Every step goes through the real library functions (ingest, scan, review, assessment,
reports, accounts). A step that fails with an expected error is reported as "fout" and
the steps that need it as "overgeslagen"; nothing is faked.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weerbaar.assess import assess
from weerbaar.demo.generate import GeneratedCorpus, generate_corpus
from weerbaar.demo.sources import DemoDataError, demo_dir, load_organisations
from weerbaar.errors import WeerbaarError
from weerbaar.ingest import ingest
from weerbaar.report import write_reports
from weerbaar.review import record_decision
from weerbaar.search import scan
from weerbaar.selfassess import load_entries, prefill_from_scan, save_entry
from weerbaar.selfassess.roles import record_role
from weerbaar.selfassess.service import add_point, write_action_plan, write_cards
from weerbaar.store import open_workspace
from weerbaar.store.documents import count_rows, list_documents, list_passages
from weerbaar.store.organisations import add_organisation, resolve_organisation
from weerbaar.web.accounts import create_user

MARKER = ".weerbaar-demo"
WORKSPACE_DIR = "werkruimte"
REPORTS_DIR = "rapporten"
FILES_DIR = "bestanden"
SUMMARY_NAME = "samenvatting.txt"
DEMO_USER = "demo"
DEMO_PASSWORD = "proef-stroomstoring"  # no user name inside (password policy)
DEMO_ROLE = "beoordelaar"
# A second account, limited to one municipality, to try the (private) self-assessment.
SELF_USER = "dijkhoven"
SELF_ORG = "GM9901"
SELF_POINTS = (
    (
        "Dorpshuis De Kern",
        "Kerkplein 2, Dijkhoven",
        "Centrum",
        ["informatie", "water", "stroom", "ehbo"],
    ),
    (
        "Sporthal Dijkzicht",
        "Sportlaan 14, Dijkhoven",
        "Dijkzicht",
        ["warmte", "stroom", "informatie"],
    ),
    ("Basisschool De Wilg", "Wilgenhof 1, Dijkhoven", "Dijkzicht", ["informatie", "sanitair"]),
)
# Claims of the municipality itself, some of which its public documents do not show.
SELF_CLAIMS = (
    (
        "3.1",
        {
            "status": "ingericht",
            "owner": "adviseur crisisbeheersing (OOV)",
            "deadline": "2027-06-30",
        },
    ),
    ("1.7", {"status": "ingericht", "owner": "afdeling HR"}),
    ("6.1", {"status": "verkend", "deadline": "2027-03-01"}),
)
REPORT_SCOPES = ("regio:VR99",)
REPORT_FORMATS = ("html", "pdf", "xlsx")
STAGE_ORDER = ("voornemen", "plan", "uitvoering", "evaluatie")

OK = "ok"
SKIPPED = "overgeslagen"
FAILED = "fout"


class DemoError(WeerbaarError):
    """The demo cannot run (for example: the output folder is not a demo folder)."""


@dataclass
class StepResult:
    name: str
    status: str
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Anchor:
    """One review decision of ``demo/beoordelingen.json`` and where it landed."""

    file: str
    anchor: str
    measure: str
    passage_id: int | None = None
    problem: str | None = None


@dataclass
class DemoResult:
    out_dir: Path
    workspace: Path
    reports_dir: Path
    files_dir: Path
    steps: list[StepResult] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)
    skipped_documents: list[tuple[str, str, str]] = field(default_factory=list)
    ocr_documents: list[str] = field(default_factory=list)
    documents_ok: int = 0
    passages: int = 0
    decisions_recorded: int = 0
    unresolved: list[Anchor] = field(default_factory=list)
    scores: dict[str, dict[str, int]] = field(default_factory=dict)
    user: str | None = None
    password: str | None = None
    self_user: str | None = None
    self_files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.status == OK for s in self.steps) and not self.unresolved

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.name == name), None)


# --------------------------------------------------------------------------- folders
def _prepare(out_dir: Path) -> None:
    """Create ``out_dir``, or clear what an earlier demo run left in it. A non-empty
    folder without the demo marker is refused, so no user data is ever removed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = out_dir / MARKER
    if not marker.exists():
        if any(out_dir.iterdir()):
            raise DemoError(
                f"De map {out_dir} bestaat al en is geen uitvoermap van de demo. "
                "Kies een lege of nieuwe map met --uit."
            )
        marker.write_text("Uitvoer van 'weerbaar demo'; wordt bij een nieuwe run vervangen.\n")
        return
    for name in (WORKSPACE_DIR, REPORTS_DIR, FILES_DIR, SUMMARY_NAME):
        path = out_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


# --------------------------------------------------------------------------- decisions
def load_decisions(base: Path | None = None) -> dict[str, Any]:
    path = (base or demo_dir()) / "beoordelingen.json"
    if not path.is_file():
        raise DemoDataError(f"Bestand met demobeoordelingen ontbreekt: {path}.")
    return json.loads(path.read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve_anchors(ws: Any, decisions: list[dict[str, Any]]) -> list[Anchor]:
    """Find, for each decision, the passage of the named document that contains its
    anchor text (whitespace and case ignored); the shortest such passage wins."""
    with ws.read() as conn:
        docs = list_documents(conn)
        by_name: dict[str, dict[str, Any]] = {}
        for d in docs:
            for path in d.get("names") or []:
                by_name.setdefault(Path(path).name, d)
        cache: dict[int, list[dict[str, Any]]] = {}
        out: list[Anchor] = []
        for dec in decisions:
            a = Anchor(file=dec["file"], anchor=dec["anchor"], measure=dec["measure"])
            out.append(a)
            doc = by_name.get(dec["file"])
            if doc is None:
                a.problem = "document niet gevonden in de werkruimte"
                continue
            if doc["status"] != "ok":
                a.problem = f"document niet gelezen ({doc['status']})"
                continue
            if doc["id"] not in cache:
                cache[doc["id"]] = list_passages(conn, document_id=doc["id"])
            needle = _norm(dec["anchor"])
            hits = [p for p in cache[doc["id"]] if needle in _norm(p["text"])]
            if not hits:
                a.problem = "ankertekst staat in geen enkele passage van het document"
                continue
            a.passage_id = min(hits, key=lambda p: (len(p["text"]), p["id"]))["id"]
    return out


def _merge(decisions: list[dict[str, Any]], anchors: list[Anchor]) -> list[dict[str, Any]]:
    """One decision per (passage, measure): two anchors in the same passage for the same
    measure are merged (aspects united, the furthest stage kept, comments joined)."""
    merged: dict[tuple[int, str], dict[str, Any]] = {}
    for dec, a in zip(decisions, anchors, strict=True):
        if a.passage_id is None:
            continue
        key = (a.passage_id, dec["measure"])
        if key not in merged:
            merged[key] = {
                **dec,
                "passage_id": a.passage_id,
                "aspects": list(dec.get("aspects") or []),
            }
            continue
        m = merged[key]
        if dec.get("relevant") == "ja":
            m["relevant"] = "ja"
        m["aspects"] = sorted(set(m["aspects"]) | set(dec.get("aspects") or []))
        stages = [s for s in (m.get("stage"), dec.get("stage")) if s in STAGE_ORDER]
        if stages:
            m["stage"] = max(stages, key=STAGE_ORDER.index)
        if dec.get("comment") and dec["comment"] != m.get("comment"):
            m["comment"] = " ".join(x for x in (m.get("comment"), dec["comment"]) if x)
    return list(merged.values())


def import_decisions(ws: Any, base: Path | None = None) -> tuple[int, list[Anchor]]:
    """Record the demo decisions through ``weerbaar.review.record_decision``. Returns the
    number recorded and every anchor with where it landed (``problem`` when not)."""
    data = load_decisions(base)
    reviewer = data.get("reviewer") or DEMO_USER
    decisions = data["decisions"]
    anchors = resolve_anchors(ws, decisions)
    n = 0
    for dec in _merge(decisions, anchors):
        record_decision(
            ws,
            reviewer=reviewer,
            passage_id=int(dec["passage_id"]),
            measure_id=str(dec["measure"]),
            relevant=str(dec["relevant"]),
            context_ok=dec.get("context_ok"),
            source_ok=dec.get("source_ok", True),
            stage=dec.get("stage"),
            aspects=list(dec.get("aspects") or []) or None,
            comment=dec.get("comment"),
        )
        n += 1
    return n, [a for a in anchors if a.problem]


# --------------------------------------------------------------------------- steps
def _register_organisations(ws: Any) -> str:
    orgs = load_organisations()
    # regions first: a municipality refers to its region
    for org in sorted(orgs, key=lambda o: o.region_code is not None):
        add_organisation(ws, org.code, org.name, org.type, org.region_code, fictional=True)
    return ", ".join(f"{o.name} ({o.code})" for o in orgs)


def _record_roles(ws: Any) -> int:
    """The agreed role split between the region and its municipalities (optional file)."""
    path = demo_dir() / "rolverdeling.csv"
    if not path.is_file():
        return 0
    n = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            record_role(
                ws,
                resolve_organisation(ws, row["gemeente"]),
                row["maatregel"],
                responsible=row["verantwoordelijk"],
                supporting=row.get("ondersteunend") or None,
                agreed=row.get("afgesproken", "").strip().lower() == "ja",
                agreed_on=row.get("datum") or None,
                notes=row.get("toelichting") or None,
            )
            n += 1
    return n


def _ingest(ws: Any, corpus: GeneratedCorpus, result: DemoResult) -> str:
    # Only the manifest: it names every file with its organisation, type, year and title
    # (a path given beside it would be read first, without that metadata).
    ingest(ws, [], manifest=corpus.manifest, progress=False)
    with ws.read() as conn:
        docs = list_documents(conn)
        result.passages = count_rows(conn)["passages"]
    result.documents_ok = sum(1 for d in docs if d["status"] == "ok")
    for d in docs:
        notes = d.get("notes") if isinstance(d.get("notes"), dict) else {}
        name = Path((d.get("names") or ["?"])[0]).name
        if d["status"] != "ok" or notes.get("pages_without_text_layer"):
            result.skipped_documents.append((name, d["status"], d.get("reason") or ""))
        if notes.get("ocr_pages"):
            pages = ", ".join(str(p) for p in notes["ocr_pages"])
            result.ocr_documents.append(f"{name} (pagina {pages})")
    return (
        f"{result.documents_ok} van {len(docs)} documenten gelezen, "
        f"{result.passages} passages; overgeslagen: {len(docs) - result.documents_ok}"
    )


def _scan(ws: Any) -> str:
    report = scan(ws, progress=False)
    candidates = getattr(report, "candidates", None)
    return f"{candidates} kandidaat-passages in de beoordelingsrij" if candidates else "klaar"


def _assess(ws: Any, result: DemoResult) -> str:
    assessment = assess(ws)
    counts: dict[str, dict[str, int]] = {}
    for row in assessment.rows():
        org = row.get("organisation")
        score = row.get("score")
        counts.setdefault(str(org), {}).setdefault(str(score), 0)
        counts[str(org)][str(score)] += 1
    result.scores = counts
    parts = []
    for org, c in sorted(counts.items()):
        parts.append(f"{org}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    return "; ".join(parts)


def _reports(ws: Any, result: DemoResult) -> str:
    files: list[Path] = []
    for scope in REPORT_SCOPES:
        files.extend(
            Path(p)
            for p in write_reports(ws, result.reports_dir, scope=scope, formats=REPORT_FORMATS)
        )
    result.report_files = files
    return ", ".join(p.name for p in files)


def _user(ws: Any, result: DemoResult) -> str:
    create_user(ws, DEMO_USER, role=DEMO_ROLE, password=DEMO_PASSWORD)
    result.user, result.password = DEMO_USER, DEMO_PASSWORD
    return f"gebruiker {DEMO_USER!r} ({DEMO_ROLE})"


def _self_assessment(ws: Any, result: DemoResult) -> str:
    """Dijkhoven's own self-assessment: pre-filled from the scan, a few claims of its own,
    its noodsteunpunten, and from that the action plan and the meterkastkaarten."""

    org = resolve_organisation(ws, SELF_ORG)
    create_user(ws, SELF_USER, role="beoordelaar", password=DEMO_PASSWORD, organisations=[org.code])
    result.self_user = SELF_USER
    filled = prefill_from_scan(ws, org.code)
    proposed = sum(1 for e in load_entries(ws, org.code) if e.proposal and e.status.known)
    for measure, values in SELF_CLAIMS:
        save_entry(ws, org.code, measure, values, by=SELF_USER)
    for name, address, wijk, functions in SELF_POINTS:
        add_point(ws, org.code, name=name, address=address, wijk=wijk, functions=functions)
    result.self_files = [
        *write_action_plan(ws, org.code, org.name, result.reports_dir, formats=("xlsx", "pdf")),
        write_cards(ws, org.code, org.name, result.reports_dir, size="A6"),
    ]
    return (
        f"{org.name}: {filled} maatregelen vooraf ingevuld uit de scan ({proposed} met een "
        f"voorgestelde status uit gecontroleerd bewijs, {filled - proposed} onbekend), "
        f"{len(SELF_CLAIMS)} eigen claims, {len(SELF_POINTS)} noodsteunpunten; "
        + ", ".join(p.name for p in result.self_files)
    )


class _Steps:
    """Runs the demo's steps in order: a step whose prerequisites failed is skipped, an
    expected error fails only that step; each outcome is kept and echoed in Dutch."""

    def __init__(self, result: DemoResult, say: Callable[[str], None]) -> None:
        self.result = result
        self.say = say
        self.failed: set[str] = set()

    def __call__(self, name: str, fn: Callable[[], str], needs: tuple[str, ...] = ()) -> None:
        missing = [n for n in needs if n in self.failed]
        if missing:
            self.failed.add(name)
            res = StepResult(name, SKIPPED, f"kan niet zonder stap: {', '.join(missing)}")
        else:
            s = time.perf_counter()
            try:
                res = StepResult(name, OK, fn())
            except WeerbaarError as exc:
                self.failed.add(name)
                res = StepResult(name, FAILED, str(exc))
            res.seconds = time.perf_counter() - s
        self.result.steps.append(res)
        took = f" ({res.seconds:.1f} s)".replace(".", ",") if res.status == OK else ""
        self.say(f"{name}: {res.status}{took}" + (f" - {res.detail}" if res.detail else ""))


# --------------------------------------------------------------------------- runner
def run_demo(out_dir: Path, *, echo: Callable[[str], None] | None = None) -> DemoResult:
    """Run the whole scan on the demo region, writing everything under ``out_dir``:
    ``bestanden/`` (generated documents), ``werkruimte/`` and ``rapporten/``. A second run
    replaces what the first wrote. ``echo`` receives a Dutch line per finished step."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    _prepare(out_dir)
    result = DemoResult(
        out_dir=out_dir,
        workspace=out_dir / WORKSPACE_DIR,
        reports_dir=out_dir / REPORTS_DIR,
        files_dir=out_dir / FILES_DIR,
    )
    step = _Steps(result, echo or (lambda _line: None))
    holder: dict[str, Any] = {}

    def gen() -> str:
        corpus = generate_corpus(result.files_dir)
        holder["corpus"] = corpus
        kinds: dict[str, int] = {}
        for f in corpus.files:
            kinds[f.source.format] = kinds.get(f.source.format, 0) + 1
        return (
            f"{len(corpus.files)} documenten ("
            + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
            + ")"
        )

    def open_ws() -> str:
        holder["ws"] = open_workspace(result.workspace)
        return str(result.workspace)

    def decisions() -> str:
        n, unresolved = import_decisions(holder["ws"])
        result.decisions_recorded = n
        result.unresolved = unresolved
        text = f"{n} beoordelingen vastgelegd door beoordelaar 'demo'"
        if unresolved:
            text += f"; {len(unresolved)} ankers niet gevonden"
        return text

    step("Demobestanden maken", gen)
    step("Werkruimte openen", open_ws)
    step(
        "Organisaties vastleggen",
        lambda: _register_organisations(holder["ws"]),
        ("Werkruimte openen",),
    )
    step(
        "Rolverdeling regio en gemeenten",
        lambda: f"{_record_roles(holder['ws'])} afspraken",
        ("Organisaties vastleggen",),
    )
    step(
        "Inlezen",
        lambda: _ingest(holder["ws"], holder["corpus"], result),
        ("Demobestanden maken", "Organisaties vastleggen"),
    )
    step("Zoeken naar bewijs (scan)", lambda: _scan(holder["ws"]), ("Inlezen",))
    step("Beoordelingen importeren", decisions, ("Inlezen",))
    step(
        "Beoordelen (scores)", lambda: _assess(holder["ws"], result), ("Beoordelingen importeren",)
    )
    step("Rapporten schrijven", lambda: _reports(holder["ws"], result), ("Beoordelen (scores)",))
    step("Demogebruiker webapp", lambda: _user(holder["ws"], result), ("Werkruimte openen",))
    step(
        "Zelfscan Dijkhoven",
        lambda: _self_assessment(holder["ws"], result),
        ("Beoordelen (scores)", "Demogebruiker webapp"),
    )
    result.seconds = time.perf_counter() - t0
    (out_dir / SUMMARY_NAME).write_text(format_summary(result).lstrip() + "\n", encoding="utf-8")
    return result


def _show(path: Path) -> str:
    """A path as the user typed it: relative to the current folder where possible."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def weerbaar_command() -> str:
    """How to call ``weerbaar`` from the current folder: the script of the running
    virtual environment when it is not on PATH (``make demo`` does not activate it)."""
    script = Path(sys.executable).parent / "weerbaar"
    if shutil.which("weerbaar") == str(script) or not script.exists():
        return "weerbaar"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def format_summary(result: DemoResult) -> str:
    """The closing note in Dutch: what worked, where the reports are, how to open the
    web app on the demo workspace, and how long it took."""
    lines = [""]
    not_ok = [s for s in result.steps if s.status != OK]
    if not_ok:
        lines.append("Niet alle stappen zijn gelukt:")
        lines.extend(f"  - {s.name}: {s.status} ({s.detail})" for s in not_ok)
    else:
        lines.append("Alle stappen zijn gelukt.")
    if result.skipped_documents:
        lines.append("Bestanden die niet (volledig) gelezen konden worden:")
        lines.extend(
            f"  - {name}: {status}" + (f" - {reason}" if reason else "")
            for name, status, reason in result.skipped_documents
        )
    if result.ocr_documents:
        lines.append("Gescande pagina's zonder tekstlaag, gelezen met OCR:")
        lines.extend(f"  - {name}" for name in result.ocr_documents)
    if result.unresolved:
        lines.append("Beoordelingen waarvan de passage niet is gevonden:")
        lines.extend(
            f"  - {a.file} / maatregel {a.measure}: '{a.anchor}' ({a.problem})"
            for a in result.unresolved
        )
    if result.scores:
        lines.append("Scores per organisatie (aantal maatregelen):")
        for org, counts in sorted(result.scores.items()):
            lines.append(f"  - {org}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if result.report_files:
        lines.append(f"Rapporten staan in {_show(result.reports_dir)}:")
        lines.extend(f"  - {p.name}" for p in result.report_files)
        first = next((p for p in result.report_files if p.suffix == ".html"), None)
        if first is not None:
            lines.append(f"Begin hier: {_show(first)} (openen in een browser).")
    lines.append(f"Werkruimte: {_show(result.workspace)}")
    lines.append(f"Gemaakte demobestanden: {_show(result.files_dir)}")
    if result.user:
        lines.append("De webapp op de demowerkruimte starten:")
        lines.append(f"  {weerbaar_command()} web --werkruimte {_show(result.workspace)}")
        lines.append(
            f"  open http://127.0.0.1:8000/ en log in als '{result.user}' met wachtwoord "
            f"'{result.password}'."
        )
    if result.self_user:
        lines.append(
            f"  De zelfscan van Gemeente Dijkhoven (privé voor die gemeente): log in als "
            f"'{result.self_user}' met hetzelfde wachtwoord en kies 'Zelfscan'."
        )
        lines.extend(f"  Actieplan en meterkastkaarten: {_show(p)}" for p in result.self_files)
    lines.append(f"Klaar in {result.seconds:.0f} seconden.")
    return "\n".join(lines)
