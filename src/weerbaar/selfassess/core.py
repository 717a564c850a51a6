"""The self-assessment of one organisation: entries per measure, pre-fill from the scan,
the action plan and the comparison of claims with public evidence.

A self-assessment is private to its organisation inside weerbaar (every function here
takes the organisation code); once held by a municipality it may still be requested
under the Woo, which the interface says plainly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from weerbaar.assess.model import Score
from weerbaar.catalog import PHASES, Catalog, load_catalog
from weerbaar.errors import WeerbaarError
from weerbaar.nl import form, plural
from weerbaar.selfassess.model import (
    DEFAULT_OWNER_BY_PILLAR,
    SCAN_AUTHOR,
    Status,
)
from weerbaar.store import Workspace
from weerbaar.store import selfassess as q

STAGE_ORDER = ("voornemen", "plan", "uitvoering", "evaluatie")


@dataclass(frozen=True, slots=True)
class Entry:
    """One organisation's own view on one measure."""

    measure_id: str
    status: Status
    owner: str | None = None
    partners: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    deadline: str | None = None  # ISO date
    evidence: tuple[dict, ...] = ()  # {"document_id": 3} or {"url": "https://..."}
    notes: str | None = None
    origin: str = "handmatig"  # scan | handmatig | import
    updated_by: str | None = None
    updated_at: str | None = None

    @property
    def proposal(self) -> bool:
        """An unconfirmed proposal from the scan: nobody of the organisation confirmed it."""
        return self.origin == "scan"

    def as_dict(self) -> dict[str, Any]:
        return {
            "measure_id": self.measure_id,
            "status": self.status.value,
            "owner": self.owner,
            "partners": list(self.partners),
            "phases": list(self.phases),
            "deadline": self.deadline,
            "evidence": [dict(e) for e in self.evidence],
            "notes": self.notes,
            "origin": self.origin,
            "proposal": self.proposal,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class PublicEvidence:
    """What the scan shows for one measure of one organisation (validated passages)."""

    # Hoog | Midden | Laag, "Onvoldoende bronnen" or "Nog niet beoordeeld" (no H/M/L
    # score), None (no assessment)
    score: str | None
    top_stage: str | None  # highest stage among validated passages
    passage_ids: tuple[int, ...] = ()
    document_ids: tuple[int, ...] = ()
    note: str | None = None  # e.g. "onvoldoende bronnen"

    @property
    def validated(self) -> bool:
        """Whether validated passages support a status (the only ground for a pre-fill)."""
        return bool(self.passage_ids)

    @property
    def finding(self) -> str:
        """What the scan found, in one Dutch sentence (shown beside the status)."""
        if self.score is None:
            return "De scan heeft deze maatregel niet beoordeeld."
        n = len(self.passage_ids)
        if n:
            return (
                f"Scan: score {self.score}; {n} gevalideerde "
                f"{form(n, 'passage', 'passages')}"
                + (f", hoogste fase {self.top_stage}" if self.top_stage else "")
                + (f" (passage {', '.join(map(str, self.passage_ids[:5]))})")
                + "."
            )
        detail = f" ({self.note})" if self.note else ""
        if self.score in (Score.HOOG, Score.MIDDEN, Score.LAAG):
            return (
                f"Scan: score {self.score}, maar zonder gevalideerde passage{detail}. "
                "Geen openbaar bewijs betekent niet dat de maatregel ontbreekt."
            )
        return f"Scan: {self.score}{detail}."


def validate_values(values: dict[str, Any], catalog: Catalog, measure_id: str) -> dict[str, Any]:
    """Normalise and check user input for one entry; raises ValueError in Dutch."""
    catalog.measure(measure_id)
    out: dict[str, Any] = {}
    if "status" in values:
        out["status"] = Status.parse(values["status"]).value
    if "owner" in values:
        out["owner"] = (values["owner"] or "").strip() or None
    if "partners" in values:
        out["partners"] = _as_list(values["partners"])
    if "phases" in values:
        phases = _as_list(values["phases"])
        bad = [p for p in phases if p not in PHASES]
        if bad:
            raise ValueError(f"onbekende fase(n) {bad}; kies uit: {', '.join(PHASES)}")
        out["phases"] = phases
    if "deadline" in values:
        d = (
            (values["deadline"] or "").strip()
            if isinstance(values["deadline"], str)
            else values["deadline"]
        )
        if d:
            try:
                out["deadline"] = date.fromisoformat(str(d)[:10]).isoformat()
            except ValueError as exc:
                raise ValueError(f"ongeldige deadline {d!r}; gebruik JJJJ-MM-DD") from exc
        else:
            out["deadline"] = None
    if "evidence" in values:
        out["evidence"] = [_evidence_item(e) for e in _as_list(values["evidence"])]
    if "notes" in values:
        out["notes"] = (values["notes"] or "").strip() or None
    if "origin" in values:
        out["origin"] = values["origin"]
    return out


def _as_list(value: Any) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.replace("\n", ";").split(";") if p.strip()]
    return list(value)


def evidence_items(value: Any) -> list[dict]:
    """Evidence as typed (``document:3; https://...``) or stored, as a list of items;
    raises ValueError in Dutch for an item that is neither a document nor a web address."""
    return [_evidence_item(e) for e in _as_list(value)]


def foreign_documents(ws: Workspace, organisation: str, document_ids: Any) -> list[int]:
    """The document ids among ``document_ids`` that are not the organisation's own.
    Evidence in a self-assessment must come from the organisation's own documents."""
    from weerbaar.store.documents import list_documents

    ids = {int(d) for d in document_ids}
    if not ids:
        return []
    with ws.read() as conn:
        own = {d["id"] for d in list_documents(conn, organisation=organisation)}
    return sorted(ids - own)


class ForeignEvidence(WeerbaarError):
    """Evidence names documents of another organisation (or no document at all)."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        super().__init__(
            "Kies als bewijs alleen documenten van deze organisatie (niet van deze "
            "organisatie: " + ", ".join(f"document:{d}" for d in ids[:10]) + ")."
        )


def check_own_evidence(ws: Workspace, organisation: str, evidence: list[dict]) -> None:
    """Raise :class:`ForeignEvidence` when evidence names another organisation's document."""
    bad = foreign_documents(
        ws, organisation, [e["document_id"] for e in evidence if "document_id" in e]
    )
    if bad:
        raise ForeignEvidence(bad)


def _evidence_item(item: Any) -> dict:
    if isinstance(item, dict):
        if "document_id" in item:
            return {"document_id": int(item["document_id"])}
        if "url" in item:
            return {"url": _check_url(str(item["url"]))}
        raise ValueError(f"onbekend bewijs {item!r}")
    s = str(item).strip()
    if s.lower().startswith(("document:", "doc:")):
        return {"document_id": int(s.split(":", 1)[1])}
    if s.isdigit():
        return {"document_id": int(s)}
    return {"url": _check_url(s)}


def _check_url(url: str) -> str:
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError(f"bewijs moet een document-nummer of een http(s)-adres zijn: {url!r}")
    return url


def load_entries(ws: Workspace, organisation: str, catalog: Catalog | None = None) -> list[Entry]:
    """All 41 entries in catalogue order; measures not yet filled in are 'onbekend' with
    origin 'leeg'."""
    catalog = catalog or load_catalog()
    with ws.read() as conn:
        rows = q.get_entries(conn, organisation, catalog.version)
    out = []
    for m in catalog.measures:
        r = rows.get(m.id)
        if r is None:
            out.append(Entry(measure_id=m.id, status=Status.ONBEKEND, origin="leeg"))
            continue
        out.append(
            Entry(
                measure_id=m.id,
                status=Status.parse(r["status"]),
                owner=r["owner"],
                partners=tuple(r["partners"]),
                phases=tuple(r["phases"]),
                deadline=r["deadline"],
                evidence=tuple(r["evidence"]),
                notes=r["notes"],
                origin=r["origin"],
                updated_by=r["updated_by"],
                updated_at=r["updated_at"],
            )
        )
    return out


def save_entry(
    ws: Workspace,
    organisation: str,
    measure_id: str,
    values: dict[str, Any],
    *,
    by: str,
    catalog: Catalog | None = None,
) -> bool:
    """Validate and store one entry (with history). Returns False when nothing changed.
    Saving a proposal from the scan without an explicit origin confirms it: the entry
    becomes the organisation's own ("handmatig"). Evidence must be the organisation's own
    documents (or web addresses): :class:`ForeignEvidence` otherwise."""
    catalog = catalog or load_catalog()
    clean = validate_values(values, catalog, measure_id)
    clean.setdefault("origin", "handmatig")
    check_own_evidence(ws, organisation, clean.get("evidence") or [])
    with ws.write() as conn:
        existing = q.get_entries(conn, organisation, catalog.version).get(measure_id)
        if existing is None and "status" not in clean:
            clean["status"] = Status.ONBEKEND.value
        return q.upsert_entry(conn, organisation, catalog.version, measure_id, clean, by)


# --------------------------------------------------------------------------- the scan side
def public_evidence(ws: Workspace, organisation: str) -> dict[str, PublicEvidence]:
    """What the assessment of the organisation's public documents shows, per measure."""
    from weerbaar.assess import assess

    result = assess(ws, organisation=organisation)
    org = result.org(organisation)
    if org is None:
        return {}
    sources_note = None if org.coverage.sufficient else "onvoldoende bronnen verzameld"
    out: dict[str, PublicEvidence] = {}
    for s in org.scores:
        note = sources_note
        if s.open_candidates and not s.evidence:
            n = s.open_candidates
            note = (
                f"nog niet beoordeeld: {plural(n, 'passage', 'passages')} uit de scan "
                f"{form(n, 'wacht', 'wachten')} op controle"
            )
        out[s.measure] = PublicEvidence(
            score=str(s.score),
            top_stage=s.highest_stage,
            passage_ids=tuple(s.evidence),
            document_ids=tuple(sorted({e.document_id for e in s.evidence_items})),
            note=note,
        )
    return out


def proposed_status(ev: PublicEvidence | None) -> Status:
    """Status proposed from the scan: the highest stage shown by validated passages.
    Without validated evidence nothing is known: 'onbekend', never 'niet gestart' (no
    public evidence is not evidence of absence)."""
    if ev is None or not ev.validated:
        return Status.ONBEKEND
    return {
        "evaluatie": Status.GEOEFEND,
        "uitvoering": Status.INGERICHT,
        "plan": Status.IN_VOORBEREIDING,
        "voornemen": Status.VERKEND,
        None: Status.VERKEND,
    }[ev.top_stage]


def prefill_from_scan(
    ws: Workspace,
    organisation: str,
    *,
    evidence: dict[str, PublicEvidence] | None = None,
    catalog: Catalog | None = None,
) -> int:
    """Start a self-assessment from what the scan found; only measures the organisation
    has not filled in themselves are written, as proposals (origin "scan") recorded by
    "weerbaar (scan)". A status is set only where validated passages support it; elsewhere
    it stays 'onbekend' with the scan's finding in the notes. Returns the number of
    entries written."""
    catalog = catalog or load_catalog()
    evidence = public_evidence(ws, organisation) if evidence is None else evidence
    written = 0
    with ws.write() as conn:
        existing = q.get_entries(conn, organisation, catalog.version)
        for m in catalog.measures:
            if m.id in existing:
                continue
            ev = evidence.get(m.id)
            status = proposed_status(ev)
            finding = ev.finding if ev else "De scan heeft deze maatregel niet beoordeeld."
            if status.known:
                note = f"Voorstel uit de scan. {finding} Bevestig of corrigeer."
            else:
                note = f"Status nog niet ingevuld. {finding} Vul zelf in wat u weet."
            values = {
                "status": status.value,
                "owner": DEFAULT_OWNER_BY_PILLAR.get(m.pillar),
                "partners": list(m.partners),
                "phases": [p for p in m.phases if p in PHASES],
                "evidence": [
                    {"document_id": d} for d in (ev.document_ids if ev and ev.validated else ())
                ],
                "notes": note,
                "origin": "scan",
            }
            if q.upsert_entry(conn, organisation, catalog.version, m.id, values, SCAN_AUTHOR):
                written += 1
    return written


# --------------------------------------------------------------------------- comparison
@dataclass(frozen=True, slots=True)
class Finding:
    measure_id: str
    kind: str  # claim_zonder_bewijs | alleen_voornemens | niet_geclaimd
    message: str

    @property
    def label(self) -> str:
        return FINDING_LABELS.get(self.kind, self.kind)


FINDING_LABELS = {
    "claim_zonder_bewijs": "Geclaimd zonder openbaar bewijs",
    "alleen_voornemens": "Geclaimd, openbaar alleen voornemens",
    "niet_geclaimd": "Openbaar bewijs dat u niet claimt",
}


def compare_claims(
    entries: list[Entry], evidence: dict[str, PublicEvidence], catalog: Catalog | None = None
) -> list[Finding]:
    """Where the organisation's claims and its public documents disagree."""
    catalog = catalog or load_catalog()
    findings = []
    for e in entries:
        if e.origin == "leeg" or not e.status.known:
            continue
        ev = evidence.get(e.measure_id)
        has = bool(ev and ev.passage_ids)
        title = catalog.measure(e.measure_id).title
        claimed = e.status.level >= Status.INGERICHT.level
        if claimed and not has:
            msg = (
                f"{e.measure_id} {title}: u geeft '{e.status.value}' op, maar de scan vond "
                "geen beoordeeld openbaar bewijs."
            )
            if ev and ev.note:
                msg += f" ({ev.note})"
            findings.append(Finding(e.measure_id, "claim_zonder_bewijs", msg))
        elif claimed and ev and ev.top_stage == "voornemen":
            findings.append(
                Finding(
                    e.measure_id,
                    "alleen_voornemens",
                    f"{e.measure_id} {title}: u geeft '{e.status.value}' op, maar de openbare "
                    "documenten tonen alleen voornemens.",
                )
            )
        elif has and e.status.level <= Status.VERKEND.level and ev is not None:
            proposed = proposed_status(ev)
            if proposed.level > e.status.level:
                findings.append(
                    Finding(
                        e.measure_id,
                        "niet_geclaimd",
                        f"{e.measure_id} {title}: de scan vond openbaar bewijs "
                        f"(hoogste fase: {ev.top_stage or 'onbekend'}) dat u niet claimt "
                        f"(u geeft '{e.status.value}' op).",
                    )
                )
    return findings


# --------------------------------------------------------------------------- action plan
@dataclass(slots=True)
class Action:
    position: int
    measure_id: str
    title: str
    status: Status
    crucial: bool
    deadline: str | None
    points: int
    reasons: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # organisations with Hoog
    proposal: bool = False  # the status is an unconfirmed proposal from the scan
    in_place: bool = False  # status ingericht: only exercising and evaluating remain

    @property
    def status_text(self) -> str:
        return self.status.label + (
            " (voorstel uit de scan, niet bevestigd)" if self.proposal else ""
        )


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A measure the action plan does not rank, and why."""

    measure_id: str
    title: str
    crucial: bool
    reason: str


@dataclass(frozen=True)
class Plan:
    """The action plan of one organisation: ranked actions, what it leaves out and why,
    and where the self-assessment and the public evidence disagree."""

    actions: list[Action]
    left_out: list[LeftOut]
    findings: list[Finding]
    proposals: int  # statuses that are still unconfirmed proposals from the scan

    @property
    def unknown(self) -> int:
        return sum(1 for x in self.left_out if x.reason.startswith("status nog niet"))


def left_out(entries: list[Entry], catalog: Catalog | None = None) -> list[LeftOut]:
    """The measures the plan leaves out: done (geoefend en geëvalueerd) or status unknown
    (nobody has said yet where the organisation stands: fill that in first)."""
    catalog = catalog or load_catalog()
    out = []
    for e in entries:
        m = catalog.measure(e.measure_id)
        if not e.status.known:
            reason = "status nog niet ingevuld: eerst vaststellen hoe het ervoor staat"
        elif e.status is Status.GEOEFEND:
            reason = "geoefend en geëvalueerd: blijven oefenen, geen nieuwe actie nodig"
            if e.proposal:
                reason += " (voorstel uit de scan, niet bevestigd)"
        else:
            continue
        out.append(LeftOut(e.measure_id, m.title, m.crucial, reason))
    return sorted(out, key=lambda x: (not x.crucial, _numkey(x.measure_id)))


def action_plan(
    entries: list[Entry],
    *,
    catalog: Catalog | None = None,
    examples: dict[str, list[str]] | None = None,
    today: date | None = None,
) -> list[Action]:
    """A prioritised list of the measures with a known status that are not yet exercised
    and evaluated (:func:`left_out` lists the others, with the reason).

    Rules (documented in docs/zelfscan.md): points for the gap (niet gestart 4 ..
    ingericht 1), +3 for a crucial measure, +1 for every measure in the plan that depends
    on it (at most 3), +3 for an overdue deadline, +2 within six months, +1 within a year.
    Measures that are not yet in place come before measures that are already in place
    (ingericht), whatever their points; within each group, by points. Then every measure
    is moved after its prerequisites that are not yet in place, so a prerequisite comes
    first (the catalogue's dependency graph has no cycles).
    """
    catalog = catalog or load_catalog()
    examples = examples or {}
    today = today or date.today()
    open_entries = {
        e.measure_id: e for e in entries if e.status.known and e.status is not Status.GEOEFEND
    }
    dependents: dict[str, list[str]] = {mid: [] for mid in open_entries}
    for mid in open_entries:
        for dep in catalog.measure(mid).depends_on:
            if dep in dependents:
                dependents[dep].append(mid)

    actions = {
        mid: _action(e, catalog, dependents[mid], examples.get(mid, []), today)
        for mid, e in open_entries.items()
    }
    order = sorted(
        actions,
        key=lambda mid: (actions[mid].in_place, -actions[mid].points, _numkey(mid)),
    )
    not_in_place = {mid for mid, a in actions.items() if not a.in_place}
    order = _prerequisites_first(order, catalog, not_in_place)
    out = []
    for i, mid in enumerate(order, start=1):
        a = actions[mid]
        a.position = i
        out.append(a)
    return out


def _action(
    e: Entry, catalog: Catalog, enables: list[str], examples: list[str], today: date
) -> Action:
    """One measure of the plan with its points and the reasons behind them."""
    m = catalog.measure(e.measure_id)
    points = Status.GEOEFEND.level - e.status.level
    reasons = [f"status '{e.status.value}'" + (" (voorstel uit de scan)" if e.proposal else "")]
    if m.crucial:
        points += 3
        reasons.append("een van de meest cruciale maatregelen")
    if enables:
        points += min(3, len(enables))
        reasons.append("voorwaarde voor " + ", ".join(sorted(enables, key=_numkey)))
    if e.deadline:
        days = (date.fromisoformat(e.deadline) - today).days
        if days < 0:
            points += 3
            reasons.append(f"deadline {e.deadline} is verstreken")
        elif days <= 183:
            points += 2
            reasons.append(f"deadline {e.deadline} binnen zes maanden")
        elif days <= 365:
            points += 1
            reasons.append(f"deadline {e.deadline} binnen een jaar")
    in_place = e.status.level >= Status.INGERICHT.level
    if in_place:
        reasons.append("al ingericht: nog oefenen en evalueren")
    return Action(
        position=0,
        measure_id=e.measure_id,
        title=m.title,
        status=e.status,
        crucial=m.crucial,
        deadline=e.deadline,
        points=points,
        reasons=reasons,
        examples=list(examples)[:5],
        proposal=e.proposal,
        in_place=in_place,
    )


def _numkey(mid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in mid.split("."))


def _prerequisites_first(order: list[str], catalog: Catalog, pending: set[str]) -> list[str]:
    """Stable reordering: a measure is placed after its prerequisites that are still
    pending (in the plan and not yet in place). A measure already in place is never
    pulled up: it is there already."""
    placed: list[str] = []
    seen: set[str] = set()

    def place(mid: str, stack: set[str]) -> None:
        if mid in seen or mid in stack:
            return
        stack.add(mid)
        deps = [d for d in catalog.measure(mid).depends_on if d in pending and d != mid]
        for dep in sorted(deps, key=order.index):
            place(dep, stack)
        stack.discard(mid)
        seen.add(mid)
        placed.append(mid)

    for mid in order:
        place(mid, set())
    return placed
