"""The scoring rules, source coverage, bottleneck signals and summaries, as pure functions
over the data classes in :mod:`weerbaar.assess.model`. ``docs/beoordeling.md`` states the
same rules in Dutch; keep the two in step.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from weerbaar.assess.model import (
    SIGNAL_LABELS,
    STAGE_UNCONFIRMED,
    Coverage,
    DocumentInfo,
    Evidence,
    MeasureInfo,
    MeasureScore,
    OrgInfo,
    Override,
    Score,
    Signal,
    SignalCode,
)
from weerbaar.assess.stage import STAGE_RANK, STAGES
from weerbaar.ingest.status import READ_STATUSES
from weerbaar.ingest.status import label as status_label
from weerbaar.nl import form, join, plural

METHOD = "weerbaar.beoordeling.v2"

# Rule parameters (documented in docs/beoordeling.md).
RECENT_YEARS = 3  # evidence counts as recent when from the reference year or the 2 before
HOOG_MIN_ASPECT_SHARE = 0.5  # Hoog needs at least half of the measure's aspects
COVERAGE_YEARS = 2  # a municipality's budget/annual report must be from the last 2 years
REGION_PLAN_YEARS = 5  # a region's policy plan / risk profile may be up to 5 years old

DOC_TYPE_LABELS = {
    "begroting": "Begroting",
    "jaarstukken": "Jaarstukken",
    "risicoprofiel": "Risicoprofiel",
    "beleidsplan": "Beleidsplan",
    "raadsinformatiebrief": "Raadsinformatiebrief",
    "raadsvoorstel": "Raadsvoorstel",
    "raadsbrief": "Raadsbrief",
    "overig": "Document",
}


def normalise_doc_type(doc_type: str | None) -> str:
    """Group document types: programmabegroting → begroting, jaarverslag/jaarrekening →
    jaarstukken, beleidsvisie/beleidsplan → beleidsplan; others as given (lower case)."""
    t = (doc_type or "onbekend").strip().lower()
    if "begroting" in t:
        return "begroting"
    if "jaarstuk" in t or "jaarverslag" in t or "jaarrekening" in t:
        return "jaarstukken"
    if "risicoprofiel" in t:
        return "risicoprofiel"
    if "beleidsplan" in t or "beleidsvisie" in t or "beleidskader" in t:
        return "beleidsplan"
    return t


def doc_label(doc_type: str | None, year: int | None, title: str | None = None) -> str:
    """ "Jaarstukken 2024", or the title when the type is unknown."""
    t = normalise_doc_type(doc_type)
    base = DOC_TYPE_LABELS.get(t) or (t.capitalize() if t != "onbekend" else (title or "Document"))
    return f"{base} {year}" if year else base


# --------------------------------------------------------------------------- coverage
def coverage_for(org: OrgInfo, documents: Iterable[DocumentInfo], reference_year: int) -> Coverage:
    """Source coverage of one organisation and whether its relevant sources were collected.

    * gemeente: a begroting or jaarstukken from the last ``COVERAGE_YEARS`` years;
    * veiligheidsregio: a begroting and jaarstukken from the last ``COVERAGE_YEARS`` years
      and a beleidsplan or risicoprofiel from the last ``REGION_PLAN_YEARS`` years;
    * other organisations: any document from the last ``COVERAGE_YEARS`` years.

    Only documents that were read (status ok or truncated) count; the others are listed
    in ``Coverage.unread``.
    """
    by_type: dict[str, set[int]] = defaultdict(set)
    n = 0
    unread: list[str] = []
    for d in documents:
        if d.status not in READ_STATUSES:
            # collected but not read: not a source (it is named, so the gap is visible)
            label = ", ".join(d.names) or doc_label(d.doc_type, d.year, d.title)
            unread.append(f"{label} ({status_label(d.status)})")
            continue
        n += 1
        if d.year is not None:
            by_type[normalise_doc_type(d.doc_type)].add(d.year)
        else:
            by_type[normalise_doc_type(d.doc_type)]
    lo = reference_year - COVERAGE_YEARS + 1
    period = (lo, reference_year)

    def has(kind: str, first: int) -> bool:
        return any(first <= y <= reference_year for y in by_type.get(kind, ()))

    missing: list[str] = []
    if org.type == "gemeente":
        rule = f"begroting of jaarstukken uit {lo}-{reference_year}"
        if not (has("begroting", lo) or has("jaarstukken", lo)):
            missing.append(f"begroting of jaarstukken {lo}-{reference_year}")
    elif org.type == "veiligheidsregio":
        plo = reference_year - REGION_PLAN_YEARS + 1
        rule = (
            f"begroting en jaarstukken uit {lo}-{reference_year}, en beleidsplan of "
            f"risicoprofiel uit {plo}-{reference_year}"
        )
        if not has("begroting", lo):
            missing.append(f"begroting {lo}-{reference_year}")
        if not has("jaarstukken", lo):
            missing.append(f"jaarstukken of jaarverslag {lo}-{reference_year}")
        if not (has("beleidsplan", plo) or has("risicoprofiel", plo)):
            missing.append(f"beleidsplan of risicoprofiel {plo}-{reference_year}")
    else:
        rule = f"een document uit {lo}-{reference_year}"
        if not any(lo <= y <= reference_year for ys in by_type.values() for y in ys):
            missing.append(f"een document uit {lo}-{reference_year}")
    return Coverage(
        organisation=org.code,
        doc_types={k: sorted(v) for k, v in sorted(by_type.items())},
        period=period,
        sufficient=not missing,
        missing=missing,
        rule=rule,
        documents=n,
        unread=unread,
    )


# --------------------------------------------------------------------------- signals
# Documented cue patterns per signal (case-insensitive).
SIGNAL_PATTERNS: dict[str, tuple[str, ...]] = {
    SignalCode.PLAN_ZONDER_UITVOERING: (
        r"\bnog niet (?:uitgevoerd|gerealiseerd|gestart|opgepakt|ingericht|afgerond)\b",
        r"\bvertraagd\b|\bvertraging\b|\buitgesteld\b|\bdoorgeschoven\b",
        r"\bniet (?:gehaald|gerealiseerd|uitgevoerd)\b",
    ),
    SignalCode.CAPACITEIT: (
        r"\b(?:tekort|gebrek|krapte|schaarste)\b.{0,60}\b(?:personeel|capaciteit|formatie|medewerkers|mensen)\b",
        r"\b(?:personeel|capaciteit|formatie)\w*\b.{0,40}\b(?:tekort|ontoereikend|onvoldoende|beperkt|krap)\b",
        r"\b(?:onvoldoende|beperkte|te weinig|geen)\s+(?:personeel|capaciteit|formatie|menskracht)\b",
        r"\bvacatures?\b|\bonderbezet\w*\b|\bniet ingevuld\w*\b|\bpersoneelstekort\b|\bcapaciteitstekort\b",
    ),
    SignalCode.LANDELIJK_KADER: (
        r"\blandelijke?\s+(?:kaders?|richtlijn\w*|normen|norm|handreiking|aanpak|regeling)\b",
        r"\bnormenkader\b|\bpilot\w*\b",
        r"\bwachten op\b|\bin afwachting van\b|\bafwachten\b|\b(?:vanuit|door) het rijk\b|\bhet rijk\b",
    ),
    "_effect_explicit": (
        r"\beffect\w*\b.{0,30}\bniet\b.{0,20}\bgemeten\b",
        r"\bgeen (?:zicht op|inzicht in|meting van) (?:het |de )?(?:effect|resultaat|doelbereik)\w*\b",
    ),
    "_output": (
        r"\b\d+\s+(?:bijeenkomsten|deelnemers|trainingen|oefeningen|bezoekers|huishoudens|"
        r"inwoners|folders|pakketten|sessies|workshops|cursussen|locaties|aanmeldingen)\b",
        r"\b(?:georganiseerd|uitgedeeld|verspreid|bereikt|bezocht)\b",
    ),
    "_outcome": (
        r"\beffect\w*\b|\bresultaat\b|\bgemeten\b|\bmeting\b|\bevaluatie\b|\bdoelbereik\b|"
        r"\bimpact\b|\bgeëvalueerd\b|\bpercentage\b|\bprocent\b|%",
    ),
}
_SIGNAL_RX = {k: tuple(re.compile(p, re.IGNORECASE) for p in v) for k, v in SIGNAL_PATTERNS.items()}


@lru_cache(maxsize=16384)
def _matches(key: str, text: str) -> bool:
    """Whether a signal's patterns occur in a passage; cached, because the organisation
    page assesses the same validated passages again after every decision."""
    return any(rx.search(text) for rx in _SIGNAL_RX[key])


def detect_signals(evidence: Sequence[Evidence]) -> list[Signal]:
    """Bottleneck signals in the validated passages of one organisation for one measure."""
    out: list[Signal] = []
    if not evidence:
        return out
    best = max(STAGE_RANK[e.stage] for e in evidence)
    plan_ids = [e.passage_id for e in evidence if e.stage in ("plan", "voornemen")]
    cue_ids = [
        e.passage_id for e in evidence if _matches(SignalCode.PLAN_ZONDER_UITVOERING, e.text)
    ]
    if (best <= STAGE_RANK["plan"] and any(e.stage == "plan" for e in evidence)) or cue_ids:
        ids = sorted(set(cue_ids) | (set(plan_ids) if best <= STAGE_RANK["plan"] else set()))
        detail = (
            "wel plannen, geen uitvoering aangetoond"
            if best <= STAGE_RANK["plan"]
            else "passages melden vertraging of niet uitgevoerde onderdelen"
        )
        out.append(_signal(SignalCode.PLAN_ZONDER_UITVOERING, ids, detail))
    ids = [e.passage_id for e in evidence if _matches(SignalCode.CAPACITEIT, e.text)]
    if ids:
        out.append(_signal(SignalCode.CAPACITEIT, ids, "passages noemen personeel of capaciteit"))
    explicit = [e.passage_id for e in evidence if _matches("_effect_explicit", e.text)]
    outputs = [e.passage_id for e in evidence if _matches("_output", e.text)]
    has_outcome = any(_matches("_outcome", e.text) for e in evidence)
    if explicit or (outputs and not has_outcome):
        out.append(
            _signal(
                SignalCode.GEEN_EFFECTMETING,
                sorted(set(explicit) | set(outputs if not has_outcome else [])),
                "aantallen of activiteiten genoemd, geen effect of resultaat",
            )
        )
    ids = [e.passage_id for e in evidence if _matches(SignalCode.LANDELIJK_KADER, e.text)]
    if ids:
        out.append(
            _signal(
                SignalCode.LANDELIJK_KADER, ids, "passages verwijzen naar landelijk kader of pilot"
            )
        )
    return out


def _signal(code: str, ids: list[int], detail: str) -> Signal:
    return Signal(code=str(code), label=SIGNAL_LABELS[code], passage_ids=sorted(ids), detail=detail)


# --------------------------------------------------------------------------- scoring
def _first_sentence(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    m = re.search(r"(?<=[.!?])\s", text)
    s = text[: m.start()] if m and m.start() >= 30 else text
    if len(s) > limit:
        cut = s[:limit].rsplit(" ", 1)[0]
        s = cut + " …"
    return s


def _docs_phrase(items: Sequence[Evidence]) -> str:
    c = Counter(doc_label(e.doc_type, e.year, e.title) for e in items)
    return join(sorted(c))


@dataclass(frozen=True, slots=True)
class Decision:
    """Which rule gave a measure its computed score, and the facts the rule used. The
    decision is taken by :func:`decide` and put into Dutch by :func:`explain`."""

    score: Score
    rule: str  # niet_gescand | wacht | geen_bewijs | bronnen | uitvoering | plan | voornemen
    evidence: tuple[Evidence, ...]  # sorted by year, document, page, passage
    top: tuple[Evidence, ...]  # the passages that carried the decision
    highest: str | None  # highest stage among all evidence
    best_rank: int
    recent_rank: int
    recent_from: int
    found: tuple[str, ...]
    total: int
    enough_aspects: bool
    years: tuple[int, ...]
    candidates: int
    open: int


def decide(
    measure: MeasureInfo,
    evidence: Sequence[Evidence],
    coverage: Coverage,
    reference_year: int,
    queue: tuple[int, int] = (0, 0),
    *,
    scanned: bool = True,
) -> Decision:
    """The computed score of one measure and why (no text; see :func:`explain`)."""
    n_candidates, n_open = queue
    ev = tuple(
        sorted(evidence, key=lambda e: (e.year or 0, e.document_id, e.page_start, e.passage_id))
    )
    aspect_ids = [a.id for a in measure.aspects]
    found = tuple(
        sorted({a for e in ev for a in e.aspects if a in aspect_ids}, key=aspect_ids.index)
    )
    total = len(aspect_ids)
    share = (len(found) / total) if total else None
    recent_from = reference_year - RECENT_YEARS + 1
    years = tuple(sorted({e.year for e in ev if e.year}))
    facts = {
        "evidence": ev,
        "recent_from": recent_from,
        "found": found,
        "total": total,
        "enough_aspects": share is None or share >= HOOG_MIN_ASPECT_SHARE,
        "years": years,
        "candidates": n_candidates,
        "open": n_open,
    }
    if not ev:
        if not scanned and coverage.sufficient:
            score, rule = Score.NOG_NIET, "niet_gescand"
        elif n_open:
            score, rule = Score.NOG_NIET, "wacht"
        elif coverage.sufficient:
            score, rule = Score.LAAG, "geen_bewijs"
        else:
            score, rule = Score.ONVOLDOENDE, "bronnen"
        return Decision(score, rule, top=(), highest=None, best_rank=0, recent_rank=0, **facts)
    best_rank = max(STAGE_RANK[e.stage] for e in ev)
    recent = [e for e in ev if e.year is not None and e.year >= recent_from]
    recent_rank = max((STAGE_RANK[e.stage] for e in recent), default=0)
    if recent_rank >= STAGE_RANK["uitvoering"] and facts["enough_aspects"]:
        score, rule = Score.HOOG, "uitvoering"
        top = tuple(e for e in recent if STAGE_RANK[e.stage] >= STAGE_RANK["uitvoering"])
    elif best_rank >= STAGE_RANK["plan"]:
        score, rule = Score.MIDDEN, "plan"
        top = tuple(e for e in ev if STAGE_RANK[e.stage] == best_rank)
    else:
        score, rule = Score.LAAG, "voornemen"
        top = ev
    return Decision(
        score,
        rule,
        top=top,
        highest=STAGES[best_rank - 1],
        best_rank=best_rank,
        recent_rank=recent_rank,
        **facts,
    )


def explain(d: Decision, coverage: Coverage) -> list[str]:
    """The Dutch reasons for a decision, in the order a reader needs them."""
    if not d.evidence:
        return _explain_without_evidence(d, coverage)
    aspect_txt = f"{len(d.found)} van {d.total} aspecten aangetoond" if d.total else ""
    tail = (f"; {aspect_txt}" if aspect_txt else "") + "."
    n_top = len(d.top)
    reasons: list[str] = []
    if d.rule == "uitvoering":
        stage_word = "evaluatie" if d.recent_rank == STAGE_RANK["evaluatie"] else "uitvoering"
        verb = form(n_top, "toont", "tonen")
        reasons.append(
            f"Hoog: {plural(n_top, 'passage', 'passages')} uit {_docs_phrase(d.top)} {verb} {stage_word}"
            + tail
        )
    elif d.rule == "plan":
        verb = form(n_top, "toont", "tonen")
        reasons.append(
            f"Midden: {plural(n_top, 'passage', 'passages')} uit {_docs_phrase(d.top)} {verb} {d.highest}"
            + tail
        )
        if d.best_rank >= STAGE_RANK["uitvoering"]:
            if d.recent_rank < STAGE_RANK["uitvoering"]:
                reasons.append(
                    f"Uitvoering is alleen aangetoond in bronnen van vóór {d.recent_from}; "
                    "voor Hoog moet het bewijs recent zijn."
                )
            if not d.enough_aspects:
                reasons.append(
                    f"Voor Hoog moet minstens de helft van de {d.total} aspecten zijn aangetoond."
                )
        else:
            reasons.append("Nog geen uitvoering aangetoond.")
    else:
        verb = form(n_top, "toont", "tonen")
        reasons.append(
            f"Laag: {plural(n_top, 'passage', 'passages')} uit {_docs_phrase(d.top)} {verb} alleen een "
            "voornemen" + tail
        )
    if d.years and d.years[-1] < d.recent_from and d.score != Score.MIDDEN:
        reasons.append(f"Het nieuwste bewijs is uit {d.years[-1]}.")
    unconfirmed = sum(1 for e in d.evidence if e.stage_source == STAGE_UNCONFIRMED)
    if unconfirmed:
        reasons.append(
            f"Fase niet bevestigd bij {plural(unconfirmed, 'passage', 'passages')}: "
            f"{form(unconfirmed, 'die telt', 'die tellen')} als voornemen (de laagste fase) tot een "
            "beoordelaar de fase kiest; het voorstel van de software telt niet mee."
        )
    if d.open:
        reasons.append(
            f"Nog {plural(d.open, 'passage', 'passages')} uit de scan {form(d.open, 'wacht', 'wachten')} "
            "op controle; "
            + (
                "die kunnen het bewijs nog aanvullen."
                if d.score == Score.HOOG
                else "die kunnen de score nog verhogen."
            )
        )
    return reasons


def _explain_without_evidence(d: Decision, coverage: Coverage) -> list[str]:
    if d.rule == "niet_gescand":
        return [
            "Nog niet beoordeeld: de ingelezen documenten zijn nog niet doorzocht op deze "
            "maatregel (weerbaar scan); zonder zoeken en controle geen score."
        ]
    if d.rule == "wacht":
        out = [
            f"Nog niet beoordeeld: {plural(d.open, 'passage', 'passages')} uit de scan "
            f"{form(d.open, 'wacht', 'wachten')} op controle; zonder gecontroleerd "
            "bewijs geen score."
        ]
        if not coverage.sufficient:
            out.append(f"Ook ontbreken relevante bronnen: {join(coverage.missing)}.")
        return out
    if d.rule == "geen_bewijs":
        out = [
            "Laag: geen openbaar bewijs gevonden in de verzamelde bronnen "
            f"({_coverage_phrase(coverage)}). Dat betekent niet dat de maatregel ontbreekt."
        ]
        if d.candidates:
            out.append(
                "De passage uit de scan is gecontroleerd en niet als bewijs aanvaard."
                if d.candidates == 1
                else f"Alle {d.candidates} passages uit de scan zijn gecontroleerd; geen "
                "ervan is als bewijs aanvaard."
            )
        return out
    return [
        "Onvoldoende bronnen: geen openbaar bewijs gevonden, maar niet alle relevante "
        f"bronnen zijn verzameld; ontbreekt: {join(coverage.missing)}."
    ]


def score_measure(
    org: OrgInfo,
    measure: MeasureInfo,
    evidence: Sequence[Evidence],
    coverage: Coverage,
    reference_year: int,
    override: Override | None = None,
    queue: tuple[int, int] = (0, 0),
    *,
    scanned: bool = True,
) -> MeasureScore:
    """Score one measure for one organisation: :func:`decide`, then :func:`explain`, then
    a reviewer's override on top. ``queue`` is (candidates of the scan for this measure,
    of which still open); ``scanned`` is False when no scan has looked at the
    organisation's newest documents."""
    d = decide(measure, evidence, coverage, reference_year, queue, scanned=scanned)
    reasons = explain(d, coverage)
    labels = {a.id: a.label for a in measure.aspects}
    missing = [a.id for a in measure.aspects if a.id not in d.found]
    final = d.score
    if override is not None:
        final = Score(override.score)
        reasons.insert(
            0,
            f"{final.value} (handmatig aangepast door {override.reviewer}; berekend: "
            f"{d.score.value}): {override.justification}",
        )
    stages = {s: sum(1 for e in d.evidence if e.stage == s) for s in STAGES}
    return MeasureScore(
        organisation=org.code,
        measure=measure.id,
        measure_title=measure.title,
        pillar=measure.pillar,
        crucial=measure.crucial,
        score=final.value,
        computed_score=d.score.value,
        reasons=reasons,
        evidence=[e.passage_id for e in d.evidence],
        stages={k: v for k, v in stages.items() if v},
        highest_stage=d.highest,
        aspects_found=list(d.found),
        missing_aspects=missing,
        missing_aspect_labels=[labels[a] for a in missing],
        aspect_total=d.total,
        signals=detect_signals(d.evidence),
        years=list(d.years),
        summary=summarise(measure, d.evidence, list(d.found), missing, open_candidates=d.open),
        evidence_items=list(d.evidence),
        override=override,
        candidates=d.candidates,
        open_candidates=d.open,
    )


def _coverage_phrase(coverage: Coverage) -> str:
    parts = []
    for kind, years in coverage.doc_types.items():
        if years:
            ys = ", ".join(str(y) for y in years[-3:])
            parts.append(f"{kind} {ys}")
        else:
            parts.append(kind)
    return "; ".join(parts) or "geen documenten"


def summarise(
    measure: MeasureInfo,
    evidence: Sequence[Evidence],
    found: Sequence[str],
    missing: Sequence[str],
    *,
    open_candidates: int = 0,
) -> list[str]:
    """Extractive summary in Dutch: one line per validated passage (document, year, page,
    stage, its first sentence), the development over the years, and the aspects."""
    labels = {a.id: a.label for a in measure.aspects}
    if not evidence and open_candidates:
        return [
            f"Nog geen gecontroleerd bewijs: {plural(open_candidates, 'passage', 'passages')} uit de scan "
            f"{form(open_candidates, 'wacht', 'wachten')} op controle."
        ]
    if not evidence:
        lines = ["Geen openbaar bewijs gevonden in de verzamelde bronnen."]
    else:
        lines = []
        for e in evidence:
            page = (
                f"p. {e.page_start}"
                if e.page_start == e.page_end
                else f"p. {e.page_start}-{e.page_end}"
            )
            lines.append(
                f"{doc_label(e.doc_type, e.year, e.title)}, {page} ({e.stage}): "
                f"“{_first_sentence(e.text)}”"
            )
        per_year: dict[int, int] = {}
        for e in evidence:
            if e.year:
                per_year[e.year] = max(per_year.get(e.year, 0), STAGE_RANK[e.stage])
        if len(per_year) >= 2:
            steps = " → ".join(f"{STAGES[r - 1]} ({y})" for y, r in sorted(per_year.items()))
            lines.append(f"Ontwikkeling: {steps}.")
        elif per_year:
            ((y, r),) = per_year.items()
            lines.append(f"Alleen bewijs uit {y} ({STAGES[r - 1]}).")
    if labels:
        if found:
            lines.append("Aangetoond: " + join([labels[a] for a in found]) + ".")
        if missing:
            lines.append("Kernhiaten: " + join([labels[a] for a in missing]) + ".")
    return lines
