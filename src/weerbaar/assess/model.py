"""Data classes of the assessment: its inputs (plain values, loaded from the workspace and
the catalogue) and its outputs (scores, coverage, aggregates). Every output has
``to_dict()`` for JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Score(StrEnum):
    """Score of a measure for an organisation."""

    HOOG = "Hoog"
    MIDDEN = "Midden"
    LAAG = "Laag"
    ONVOLDOENDE = "Onvoldoende bronnen"
    NOG_NIET = "Nog niet beoordeeld"  # no validated evidence, candidates still open


# All outcomes in the order of every table and chart, and the short letter of each
# (heat maps, compact tables; a second channel beside colour).
SCORE_ORDER: tuple[Score, ...] = tuple(Score)
SCORE_LETTERS: dict[str, str] = {
    Score.HOOG: "H",
    Score.MIDDEN: "M",
    Score.LAAG: "L",
    Score.ONVOLDOENDE: "?",
    Score.NOG_NIET: "NB",
}
SCORE_RANK: dict[str, int] = {Score.LAAG: 1, Score.MIDDEN: 2, Score.HOOG: 3}
SCORES_HML: tuple[Score, ...] = (Score.HOOG, Score.MIDDEN, Score.LAAG)
# Outcomes that are not a Hoog/Midden/Laag judgement (left out of shares, classes,
# dependency checks and the self-assessment comparison).
SCORES_UNSCORED: tuple[Score, ...] = (Score.ONVOLDOENDE, Score.NOG_NIET)

# Where an evidence passage's stage comes from: chosen by a reviewer, or not confirmed
# (the passage then counts as the lowest stage; see ``weerbaar.assess._merge_evidence``).
STAGE_CONFIRMED = "beoordelaar"
STAGE_UNCONFIRMED = "onbevestigd"


class SignalCode(StrEnum):
    """Bottleneck signals (knelpunten)."""

    PLAN_ZONDER_UITVOERING = "plan_zonder_uitvoering"
    CAPACITEIT = "capaciteitstekort"
    GEEN_EFFECTMETING = "geen_effectmeting"
    LANDELIJK_KADER = "wachten_op_landelijk_kader"


SIGNAL_LABELS: dict[str, str] = {
    SignalCode.PLAN_ZONDER_UITVOERING: "Plan zonder uitvoering",
    SignalCode.CAPACITEIT: "Tekort aan capaciteit of personeel",
    SignalCode.GEEN_EFFECTMETING: "Geen effectmeting (wel output, geen effect)",
    SignalCode.LANDELIJK_KADER: "Wachten op landelijk kader, pilot of norm",
}


# --------------------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True)
class OrgInfo:
    code: str
    name: str
    type: str  # gemeente | veiligheidsregio | overig
    region_code: str | None = None


@dataclass(frozen=True, slots=True)
class AspectInfo:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class MeasureInfo:
    id: str
    pillar: int
    title: str
    crucial: bool = False
    aspects: tuple[AspectInfo, ...] = ()
    depends_on: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: int
    organisation_code: str
    doc_type: str | None
    year: int | None
    title: str | None
    stored_path: str | None = None
    status: str = "ok"  # ok | truncated (read) or why it was not read
    names: tuple[str, ...] = ()  # original file names


@dataclass(frozen=True, slots=True)
class Evidence:
    """One validated passage for one measure of one organisation."""

    passage_id: int
    document_id: int
    organisation_code: str
    measure_id: str
    text: str
    page_start: int
    page_end: int
    stage: str
    stage_source: str  # STAGE_CONFIRMED | STAGE_UNCONFIRMED
    aspects: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    doc_type: str | None = None
    year: int | None = None
    title: str | None = None
    stored_path: str | None = None
    char_start: int = 0
    char_end: int = 0


@dataclass(frozen=True, slots=True)
class Override:
    organisation_code: str
    measure_id: str
    score: str
    computed_score: str | None
    justification: str
    reviewer: str
    at: str


# --------------------------------------------------------------------------- outputs
@dataclass(slots=True)
class Signal:
    code: str
    label: str
    passage_ids: list[int] = field(default_factory=list)
    detail: str = ""


@dataclass(slots=True)
class Coverage:
    """Which sources were collected for one organisation and whether they suffice."""

    organisation: str
    doc_types: dict[str, list[int]]  # normalised doc type -> sorted years
    period: tuple[int, int]
    sufficient: bool
    missing: list[str]
    rule: str
    documents: int = 0  # documents actually read (status ok or truncated)
    unread: list[str] = field(default_factory=list)  # collected but not read, with why


@dataclass(slots=True)
class RegionalPart:
    region: str
    region_score: str | None
    carried_by_region: bool
    combined_score: str


@dataclass(slots=True)
class MeasureScore:
    organisation: str
    measure: str
    measure_title: str
    pillar: int
    crucial: bool
    score: str
    computed_score: str
    reasons: list[str]
    evidence: list[int]
    stages: dict[str, int]
    highest_stage: str | None
    aspects_found: list[str]
    missing_aspects: list[str]
    missing_aspect_labels: list[str]
    aspect_total: int
    signals: list[Signal]
    years: list[int]
    summary: list[str]
    evidence_items: list[Evidence] = field(default_factory=list)
    override: Override | None = None
    regional: RegionalPart | None = None
    dependency_flags: list[str] = field(default_factory=list)
    candidates: int = 0  # passages of the scan in the review queue for this measure
    open_candidates: int = 0  # of which nobody has decided yet

    def to_dict(self, *, with_items: bool = False) -> dict[str, Any]:
        d = {
            "organisation": self.organisation,
            "measure": self.measure,
            "measure_title": self.measure_title,
            "pillar": self.pillar,
            "crucial": self.crucial,
            "score": self.score,
            "computed_score": self.computed_score,
            "reasons": self.reasons,
            "evidence": self.evidence,
            "stages": self.stages,
            "highest_stage": self.highest_stage,
            "aspects_found": self.aspects_found,
            "missing_aspects": self.missing_aspects,
            "aspect_total": self.aspect_total,
            "signals": [asdict(s) for s in self.signals],
            "years": self.years,
            "summary": self.summary,
            "override": asdict(self.override) if self.override else None,
            "regional": asdict(self.regional) if self.regional else None,
            "dependency_flags": self.dependency_flags,
            "candidates": self.candidates,
            "open_candidates": self.open_candidates,
        }
        if with_items:
            d["evidence_items"] = [asdict(e) for e in self.evidence_items]
        return d


@dataclass(slots=True)
class OrgResult:
    organisation: str
    name: str
    type: str
    region: str | None
    coverage: Coverage
    scores: list[MeasureScore]

    @property
    def queue_total(self) -> int:
        """Candidates of the scan in the review queue (all measures)."""
        return sum(s.candidates for s in self.scores)

    @property
    def queue_reviewed(self) -> int:
        """Candidates on which at least one reviewer has decided."""
        return sum(s.candidates - s.open_candidates for s in self.scores)

    def score_of(self, measure_id: str) -> MeasureScore | None:
        for s in self.scores:
            if s.measure == measure_id:
                return s
        return None


@dataclass(slots=True)
class DependencyFlag:
    organisation: str
    measure: str
    score: str
    depends_on: str
    depends_score: str
    message: str


@dataclass(slots=True)
class MeasureAggregate:
    measure: str
    title: str
    pillar: int
    crucial: bool
    counts: dict[str, int]
    shares: dict[str, float]  # of the organisations with a H/M/L score
    assessed: int
    spread: str
    national_class: str
    aspects_nowhere: list[str]
    aspects_nowhere_labels: list[str]
    signal_counts: dict[str, int]


@dataclass(slots=True)
class RegionAggregate:
    region: str
    name: str
    municipalities: list[str]
    region_scores: dict[str, str]  # measure -> score of the region itself
    counts: dict[str, dict[str, int]]  # measure -> score -> municipalities (combined)
    carried: dict[str, int]  # measure -> municipalities for which the region carries it
    coverage_sufficient: int
    coverage_total: int


@dataclass(slots=True)
class PillarAggregate:
    pillar: int
    name: str
    counts: dict[str, int]
    shares: dict[str, float]


@dataclass(slots=True)
class YearAggregate:
    year: int
    passages: int
    organisations: int
    stages: dict[str, int]
    measures: int


@dataclass(slots=True)
class Assessment:
    catalog_version: str
    reference_year: int
    organisations: list[OrgResult]
    measures: list[MeasureAggregate]
    regions: list[RegionAggregate]
    pillars: list[PillarAggregate]
    years: list[YearAggregate]
    dependency_flags: list[DependencyFlag]
    measure_info: dict[str, MeasureInfo] = field(default_factory=dict)
    org_info: dict[str, OrgInfo] = field(default_factory=dict)
    pillar_names: dict[int, str] = field(default_factory=dict)

    def org(self, code: str) -> OrgResult | None:
        for o in self.organisations:
            if o.organisation == code:
                return o
        return None

    def rows(self) -> list[dict[str, Any]]:
        """One dict per organisation per measure (the CLI's JSON rows)."""
        out = []
        for o in self.organisations:
            for s in o.scores:
                d = s.to_dict()
                d["organisation_name"] = o.name
                d["organisation_type"] = o.type
                d["region"] = o.region
                out.append(d)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "catalog_version": self.catalog_version,
            "reference_year": self.reference_year,
            "scores": self.rows(),
            "coverage": [asdict(o.coverage) for o in self.organisations],
            "review_queue": [
                {
                    "organisation": o.organisation,
                    "candidates": o.queue_total,
                    "reviewed": o.queue_reviewed,
                }
                for o in self.organisations
            ],
            "measures": [asdict(m) for m in self.measures],
            "regions": [asdict(r) for r in self.regions],
            "pillars": [asdict(p) for p in self.pillars],
            "years": [asdict(y) for y in self.years],
            "dependency_flags": [asdict(f) for f in self.dependency_flags],
        }
