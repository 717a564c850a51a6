"""The typed content of a report, shared by every format (HTML/PDF, Markdown, XLSX).
Built in :mod:`weerbaar.report.build`; all text Dutch.

Every statement that rests on evidence carries its :class:`Citation` (organisation,
document, page, passage id); a statement that rests on the absence of evidence says what
it rests on instead (``Finding.basis``). A citation never holds a path of the machine the
report was made on: it links to the review app (``/passages/{id}``) only when the report
is made with the app's public address."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from weerbaar.assess.model import OrgResult, RegionalPart


@dataclass(frozen=True, slots=True)
class Citation:
    """One validated passage as a source: verbatim text and where it stands."""

    passage_id: int
    document_id: int
    organisation: str
    organisation_name: str
    document: str  # e.g. "Begroting 2025"
    title: str
    year: int | None
    page_start: int
    page_end: int
    stage: str
    text: str
    measure: str
    href: str | None = None  # the passage in the review app, when its address is known

    @property
    def page(self) -> str:
        if self.page_start == self.page_end:
            return f"p. {self.page_start}"
        return f"p. {self.page_start}-{self.page_end}"

    @property
    def short(self) -> str:
        """ "Gemeente X, Begroting 2025, p. 4, passage 12"."""
        return f"{self.organisation_name}, {self.document}, {self.page}, passage {self.passage_id}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A key finding: the sentence, the passages it rests on, or (for a statement about
    what was not found) what it rests on instead."""

    text: str
    sources: tuple[Citation, ...] = ()
    basis: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class SignalView:
    label: str
    detail: str
    ids: list[int]


@dataclass(frozen=True, slots=True)
class ScoreView:
    """One measure of one organisation."""

    measure: str
    title: str
    pillar: int
    crucial: bool
    score: str
    computed_score: str
    overridden: bool
    cls: str
    letter: str
    plain: str
    reasons: list[str]
    summary: list[str]
    missing: list[str]
    aspect_total: int
    aspects_found: int
    highest_stage: str | None
    signals: list[SignalView]
    dependency_flags: list[str]
    regional: RegionalPart | None
    quotes: list[Citation]
    years: list[int]
    open_candidates: int


@dataclass(frozen=True, slots=True)
class MeasureView:
    """One measure over all organisations in the report."""

    measure: str
    title: str
    pillar: int
    crucial: bool
    counts: dict[str, int]
    shares: dict[str, float]
    assessed: int
    pct: dict[str, str]
    national_class: str
    classified: bool
    spread: str
    nowhere: list[str]
    signals: dict[str, int]
    examples: list[Citation]
    trend: str


@dataclass(frozen=True, slots=True)
class PillarView:
    pillar: int
    name: str
    counts: dict[str, int]
    total: int
    pct: dict[str, str]


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    passages: int
    organisations: int
    measures: int
    stages: dict[str, int]


@dataclass(frozen=True, slots=True)
class Knelpunt:
    code: str
    label: str
    organisations: int
    pct: str
    measures: str


@dataclass(frozen=True, slots=True)
class CoverageRow:
    organisation: str
    name: str
    type: str
    region: str
    doc_types: str
    sufficient: bool
    missing: str
    unread: str
    documents: int
    queue_total: int
    queue_reviewed: int
    queue: str


@dataclass(frozen=True, slots=True)
class RegionRow:
    region: str
    name: str
    municipalities: int
    coverage: str
    own: dict[str, int]
    munis: dict[str, int]
    carried: int


@dataclass(frozen=True, slots=True)
class DependencyRow:
    measure: str
    measure_title: str
    depends_on: str
    depends_title: str
    organisations: int
    pct: str


@dataclass(frozen=True, slots=True)
class DependencyFlagView:
    organisation: str
    name: str
    message: str


@dataclass(frozen=True, slots=True)
class OrgRef:
    code: str
    name: str
    type: str = ""


@dataclass(frozen=True, slots=True)
class HeatRow:
    measure: str
    title: str
    crucial: bool
    scores: list[str]


@dataclass(frozen=True, slots=True)
class HeatChunk:
    orgs: list[OrgRef]
    rows: list[HeatRow]


@dataclass(frozen=True, slots=True)
class RegionPart:
    code: str
    name: str
    assessed: bool
    title: str
    carried: list[ScoreView]


@dataclass(frozen=True, slots=True)
class ReviewCounts:
    """One count of human review, used everywhere in the report, with its explanation.
    Unit: a passage offered for one measure ("passage bij een maatregel")."""

    offered: int  # passages the scan put in the review queue, per measure
    reviewed: int  # of which a reviewer decided on
    validated: int  # validated passages that count as evidence, per measure

    @property
    def pct(self) -> str:
        return pct(self.reviewed, self.offered)

    @property
    def text(self) -> str:
        if not self.offered and not self.validated:
            return "De scan heeft nog geen passages ter controle voorgelegd."
        return (
            f"De scan legde {self.offered} keer een passage bij een maatregel ter controle "
            f"voor; {self.reviewed} daarvan ({self.pct}) zijn door een beoordelaar "
            f"gecontroleerd. {self.validated} keer is een passage gevalideerd (juist, "
            "relevant en met voldoende context) en telt zo als bewijs voor een maatregel. "
            "Eén passage kan bij meer dan één maatregel passen en telt dan per maatregel."
            + (
                " Er zijn meer passages gevalideerd dan uit de lijst van de scan gecontroleerd: "
                "beoordelaars valideerden ook passages die ze zelf vonden of die bij een "
                "eerdere scan waren voorgelegd."
                if self.validated > self.reviewed
                else ""
            )
        )


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    explanation: str


@dataclass(slots=True)
class ReportContext:
    """Everything a report shows, for one scope."""

    scope: Any  # build.Scope
    title: str
    generated_at: str
    catalog_version: str
    reference_year: int
    class_label: str
    n_orgs: int
    n_munis: int
    n_regions: int
    n_orgs_text: str
    no_documents: bool
    scope_name: str
    focus: OrgResult | None
    focus_scores: list[ScoreView]
    region_part: RegionPart | None
    columns: list[str]
    column_titles: list[str]
    orgs: list[OrgRef]
    matrix: list[list[str]]
    row_groups: list[tuple[int, str]] | None
    heat_table: bool
    heat_chunks: list[HeatChunk]
    measures: list[MeasureView]
    crucial: list[MeasureView]
    pillars: list[PillarView]
    years: list[YearView]
    knelpunten: list[Knelpunt]
    coverage: list[CoverageRow]
    coverage_ok: int
    regions: list[RegionRow]
    dependency_flags: list[DependencyFlagView]
    dependency_summary: list[DependencyRow]
    findings: list[Finding]
    classes: dict[str, int]
    review: ReviewCounts
    not_yet: int
    glossary: list[Term]
    levels: list[Term]
    spread_terms: list[Term]
    unread: list[dict[str, str]] = field(default_factory=list)
    document_names: dict[int, str] = field(default_factory=dict)


def pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"
