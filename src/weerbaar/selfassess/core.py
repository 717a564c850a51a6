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

from weerbaar.catalog import Catalog, load_catalog
from weerbaar.selfassess.model import DEFAULT_OWNER_BY_PILLAR, PHASES, Status
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
    """All 41 entries in catalogue order; measures not yet filled in are 'niet gestart'
    with origin 'leeg'."""
    catalog = catalog or load_catalog()
    with ws.read() as conn:
        rows = q.get_entries(conn, organisation, catalog.version)
    out = []
    for m in catalog.measures:
        r = rows.get(m.id)
        if r is None:
            out.append(Entry(measure_id=m.id, status=Status.NIET_GESTART, origin="leeg"))
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
    becomes the organisation's own ("handmatig")."""
    catalog = catalog or load_catalog()
    clean = validate_values(values, catalog, measure_id)
    clean.setdefault("origin", "handmatig")
    with ws.write() as conn:
        existing = q.get_entries(conn, organisation, catalog.version).get(measure_id)
        if existing is None and "status" not in clean:
            clean["status"] = Status.NIET_GESTART.value
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
                f"nog niet beoordeeld: {n} {'passage' if n == 1 else 'passages'} uit de scan "
                f"{'wacht' if n == 1 else 'wachten'} op controle"
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
    """Status proposed from the scan: the highest stage shown by validated passages."""
    if ev is None or not ev.passage_ids:
        return Status.NIET_GESTART
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
    by: str,
    evidence: dict[str, PublicEvidence] | None = None,
    catalog: Catalog | None = None,
) -> int:
    """Start a self-assessment from what the scan found; only measures the organisation
    has not filled in themselves are written. Returns the number of entries written."""
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
            if ev and ev.passage_ids:
                note = (
                    f"Voorstel uit de scan: {len(ev.passage_ids)} beoordeelde passage(s)"
                    f"{', hoogste fase: ' + ev.top_stage if ev.top_stage else ''}"
                    f"{', score ' + ev.score if ev.score else ''}. Bevestig of corrigeer."
                )
            elif ev and ev.note and ev.note.startswith("nog niet beoordeeld"):
                note = f"Voorstel uit de scan: {ev.note}. Vul zelf in wat u weet."
            else:
                note = (
                    "Voorstel uit de scan: geen openbaar bewijs gevonden. Dat betekent niet "
                    "dat de maatregel ontbreekt; bevestig of corrigeer."
                )
            values = {
                "status": status.value,
                "owner": DEFAULT_OWNER_BY_PILLAR.get(m.pillar),
                "partners": list(m.partners),
                "phases": [p for p in m.phases if p in PHASES],
                "evidence": [{"document_id": d} for d in (ev.document_ids if ev else ())],
                "notes": note,
                "origin": "scan",
            }
            if q.upsert_entry(conn, organisation, catalog.version, m.id, values, by):
                written += 1
    return written


# --------------------------------------------------------------------------- comparison
@dataclass(frozen=True, slots=True)
class Finding:
    measure_id: str
    kind: str  # claim_zonder_bewijs | alleen_voornemens | niet_geclaimd | overeenkomst
    message: str


def compare_claims(
    entries: list[Entry], evidence: dict[str, PublicEvidence], catalog: Catalog | None = None
) -> list[Finding]:
    """Where the organisation's claims and its public documents disagree."""
    catalog = catalog or load_catalog()
    findings = []
    for e in entries:
        if e.origin == "leeg":
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


def action_plan(
    entries: list[Entry],
    *,
    catalog: Catalog | None = None,
    examples: dict[str, list[str]] | None = None,
    today: date | None = None,
) -> list[Action]:
    """A prioritised list of the measures that are not yet exercised and evaluated.

    Rules (documented in docs/zelfscan.md): points for the gap (niet gestart 4 ..
    ingericht 1), +3 for a crucial measure, +1 for every open measure that depends on it
    (at most 3), +3 for an overdue deadline, +2 within six months, +1 within a year.
    Sorted by points; then every measure is moved before the open measures that depend
    on it, so a prerequisite comes first; in a mutual dependency, the measure of pillar 3
    (vitale voorzieningen: stroom, water) goes first, because a noodsteunpunt without
    power or water does not work.
    """
    catalog = catalog or load_catalog()
    examples = examples or {}
    today = today or date.today()
    open_entries = {e.measure_id: e for e in entries if e.status is not Status.GEOEFEND}
    dependents: dict[str, list[str]] = {mid: [] for mid in open_entries}
    for mid in open_entries:
        for dep in catalog.measure(mid).depends_on:
            if dep in dependents:
                dependents[dep].append(mid)

    actions: dict[str, Action] = {}
    for mid, e in open_entries.items():
        m = catalog.measure(mid)
        reasons = []
        gap = Status.GEOEFEND.level - e.status.level
        points = gap
        reasons.append(f"status '{e.status.value}'")
        if m.crucial:
            points += 3
            reasons.append("een van de meest cruciale maatregelen")
        enables = sorted(dependents[mid])
        if enables:
            points += min(3, len(enables))
            reasons.append("voorwaarde voor " + ", ".join(enables))
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
        actions[mid] = Action(
            position=0,
            measure_id=mid,
            title=m.title,
            status=e.status,
            crucial=m.crucial,
            deadline=e.deadline,
            points=points,
            reasons=reasons,
            examples=list(examples.get(mid, []))[:5],
        )

    order = sorted(actions, key=lambda mid: (-actions[mid].points, _numkey(mid)))
    order = _prerequisites_first(order, catalog, set(actions))
    out = []
    for i, mid in enumerate(order, start=1):
        a = actions[mid]
        a.position = i
        out.append(a)
    return out


def _numkey(mid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in mid.split("."))


def _prerequisites_first(order: list[str], catalog: Catalog, open_ids: set[str]) -> list[str]:
    """Stable reordering: a measure is placed after its open prerequisites. For a mutual
    dependency, only the direction from a pillar-3 measure to another counts."""

    def prereqs(mid: str) -> list[str]:
        out = []
        for dep in catalog.measure(mid).depends_on:
            if dep not in open_ids or dep == mid:
                continue
            mutual = mid in catalog.measure(dep).depends_on
            if mutual and not (
                catalog.measure(dep).pillar == 3 and catalog.measure(mid).pillar != 3
            ):
                continue
            out.append(dep)
        return out

    placed: list[str] = []
    seen: set[str] = set()

    def place(mid: str, stack: set[str]) -> None:
        if mid in seen or mid in stack:
            return
        stack.add(mid)
        for dep in sorted(prereqs(mid), key=order.index):
            place(dep, stack)
        stack.discard(mid)
        seen.add(mid)
        placed.append(mid)

    for mid in order:
        place(mid, set())
    return placed
