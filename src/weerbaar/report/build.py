"""The content of a report, built once from an :class:`Assessment` and shared by every
format (HTML/PDF, Markdown, XLSX): a typed :class:`~weerbaar.report.context.ReportContext`
assembled from small section functions. All text Dutch."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from weerbaar.assess.aggregate import (
    BREED_MIN_HOOG,
    CONSISTENT_MIN_SHARE,
    MIN_SCORED_SHARE,
    NAUWELIJKS_MIN_LAAG,
    STRONG_SPLIT_MIN_SHARE,
    UNCLASSIFIED,
)
from weerbaar.assess.model import (
    SCORE_LETTERS,
    SIGNAL_LABELS,
    Assessment,
    Evidence,
    MeasureAggregate,
    MeasureScore,
    OrgResult,
    Score,
)
from weerbaar.assess.rules import doc_label
from weerbaar.errors import WeerbaarError
from weerbaar.nl import form, plural
from weerbaar.report.context import (
    Citation,
    CoverageRow,
    DependencyFlagView,
    DependencyRow,
    Finding,
    HeatChunk,
    HeatRow,
    Knelpunt,
    MeasureView,
    OrgRef,
    PillarView,
    RegionPart,
    RegionRow,
    ReportContext,
    ReviewCounts,
    ScoreView,
    SignalView,
    Term,
    YearView,
    pct,
)

MAX_QUOTES_PER_MEASURE = 3  # in region and national reports
HEATMAP_TABLE_MAX_ROWS = 60  # above this the heat map's table version is left to XLSX/CSV


class ReportError(WeerbaarError):
    """A report cannot be made (unknown scope or format)."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What a report covers: ``landelijk``, one ``organisatie`` or one ``regio``."""

    kind: str
    code: str | None = None

    @classmethod
    def parse(cls, value: str | Scope) -> Scope:
        if isinstance(value, Scope):
            return value
        kind, _, code = value.partition(":")
        kind = kind.strip().lower()
        if kind == "landelijk":
            return cls("landelijk")
        if kind in ("organisatie", "regio") and code.strip():
            return cls(kind, code.strip())
        raise ReportError(
            f"Onbekend bereik {value!r}: gebruik 'landelijk', 'organisatie:CODE' of 'regio:CODE'."
        )

    @property
    def slug(self) -> str:
        return "landelijk" if self.kind == "landelijk" else f"{self.kind}-{self.code}"


SCORE_CSS: dict[str, str] = {
    Score.HOOG: "s-hoog",
    Score.MIDDEN: "s-midden",
    Score.LAAG: "s-laag",
    Score.NOG_NIET: "s-nb",
}


def score_class(score: str) -> str:
    return SCORE_CSS.get(score, "s-onv")


def score_letter(score: str) -> str:
    return SCORE_LETTERS.get(score, "?")


PLAIN_SCORE: dict[str, str] = {
    Score.HOOG: "Aantoonbaar geregeld",
    Score.MIDDEN: "In voorbereiding",
    Score.LAAG: "Weinig of niets gevonden",
    Score.ONVOLDOENDE: "Te weinig stukken verzameld",
    Score.NOG_NIET: "Nog niet gecontroleerd",
}
SCORED: tuple[str, ...] = (Score.HOOG, Score.MIDDEN, Score.LAAG)
HEAT_CHUNK = 12  # organisations per (transposed) score table: measures as rows


def region_title(name: str) -> str:
    """The register names regions without the word "Veiligheidsregio"."""
    return name if name.lower().startswith("veiligheidsregio") else f"Veiligheidsregio {name}"


def display_name(o: OrgResult) -> str:
    """An organisation's name as shown: regions with the word "Veiligheidsregio"."""
    return region_title(o.name) if o.type == "veiligheidsregio" else o.name


def queue_text(reviewed: int, total: int) -> str:
    """How much of the review queue was checked, e.g. "74 van 1230 (6%)"."""
    if not total:
        return "geen passages uit de scan"
    return f"{reviewed} van {total} ({pct(reviewed, total)})"


# --------------------------------------------------------------------------- reader's aids
GLOSSARY = (
    Term("VNG", "Vereniging van Nederlandse Gemeenten, de uitgever van de handreiking"),
    Term(
        "BCM",
        "bedrijfscontinuïteitsmanagement: hoe een organisatie haar kritieke processen "
        "draaiende houdt bij een verstoring",
    ),
    Term("BIO", "Baseline Informatiebeveiliging Overheid, de norm voor informatiebeveiliging"),
    Term("DARES", "vrijwillig radionetwerk van radioamateurs voor noodcommunicatie"),
    Term("EHBO", "eerste hulp bij ongelukken"),
    Term("EU", "Europese Unie"),
    Term("GGD", "Gemeentelijke Gezondheidsdienst"),
    Term("GGZ", "geestelijke gezondheidszorg"),
    Term("GHOR", "Geneeskundige Hulpverleningsorganisatie in de Regio"),
    Term("IBD", "Informatiebeveiligingsdienst voor gemeenten"),
    Term("ICT", "informatie- en communicatietechnologie"),
    Term("LCMS", "Landelijk Crisismanagementsysteem, waarin hulpdiensten het beeld delen"),
    Term("MKB", "midden- en kleinbedrijf"),
    Term("MT", "managementteam"),
    Term("NCSC", "Nationaal Cyber Security Centrum"),
    Term("NCTV", "Nationaal Coördinator Terrorismebestrijding en Veiligheid"),
    Term(
        "NCV",
        "Noodcommunicatievoorziening: het eigen communicatienetwerk van de overheid dat "
        "werkt als telefoon en internet uitvallen",
    ),
    Term("OOV", "openbare orde en veiligheid"),
    Term("OV", "openbaar vervoer"),
    Term("SLA", "service level agreement: afspraken over beschikbaarheid en herstel"),
    Term("Wmo", "Wet maatschappelijke ondersteuning (zorg en hulp thuis)"),
)


def glossary_for(texts: list[str]) -> list[Term]:
    """The abbreviations that occur in ``texts`` (always the VNG, named in the header)."""
    joined = " ".join(texts)
    return [
        t for t in GLOSSARY if t.term == "VNG" or re.search(rf"\b{re.escape(t.term)}\b", joined)
    ]


LEVELS = (
    Term(
        Score.HOOG,
        "recent bewijs van uitvoering of evaluatie, en minstens de helft van de aspecten van "
        "de maatregel aangetoond",
    ),
    Term(Score.MIDDEN, "bewijs van minstens een plan, maar (nog) niet Hoog"),
    Term(
        Score.LAAG,
        "alleen voornemens, of geen openbaar bewijs gevonden terwijl de relevante bronnen "
        "wel zijn verzameld",
    ),
    Term(Score.ONVOLDOENDE, "geen bewijs, en de relevante bronnen voor de periode ontbreken"),
    Term(
        Score.NOG_NIET,
        "geen gecontroleerd bewijs, maar de scan vond passages die nog niemand heeft "
        "gecontroleerd; zonder controle geen score",
    ),
)


def _share(x: float) -> str:
    return f"{round(100 * x)}%"


SPREAD_TERMS = (
    Term(
        "Beeld",
        f"alleen als minstens {_share(MIN_SCORED_SHARE)} van de organisaties een score Hoog, "
        f"Midden of Laag heeft: breed geïmplementeerd bij minstens {_share(BREED_MIN_HOOG)} "
        f"Hoog, nauwelijks geïmplementeerd bij minstens {_share(NAUWELIJKS_MIN_LAAG)} Laag, "
        "anders gedeeltelijk geïmplementeerd",
    ),
    Term(
        "Spreiding",
        "hoe eensgezind de organisaties met een score zijn: eenduidig als minstens "
        f"{_share(CONSISTENT_MIN_SHARE)} hetzelfde scoort en Hoog en Laag niet samen "
        f"voorkomen; sterk wisselend als Hoog en Laag elk bij minstens "
        f"{_share(STRONG_SPLIT_MIN_SHARE)} voorkomen; anders wisselend",
    ),
)


# --------------------------------------------------------------------------- citations
def cite(e: Evidence, org_name: str, app_url: str | None = None) -> Citation:
    """A validated passage as a source. Links go to the passage in the review app when its
    public address is known; never to a file on the machine that made the report."""
    href = f"{app_url.rstrip('/')}/passages/{e.passage_id}" if app_url else None
    return Citation(
        passage_id=e.passage_id,
        document_id=e.document_id,
        organisation=e.organisation_code,
        organisation_name=org_name,
        document=doc_label(e.doc_type, e.year, e.title),
        title=e.title or "",
        year=e.year,
        page_start=e.page_start,
        page_end=e.page_end,
        stage=e.stage,
        text=" ".join(e.text.split()),
        measure=e.measure_id,
        href=href,
    )


def _best_evidence(s: MeasureScore) -> list[Evidence]:
    """The evidence of a score, strongest stage and newest first."""
    from weerbaar.assess.stage import STAGE_RANK

    return sorted(
        s.evidence_items,
        key=lambda e: (-STAGE_RANK.get(e.stage, 0), -(e.year or 0), e.passage_id),
    )


def score_view(s: MeasureScore, org: OrgResult, app_url: str | None = None) -> ScoreView:
    return ScoreView(
        measure=s.measure,
        title=s.measure_title,
        pillar=s.pillar,
        crucial=s.crucial,
        score=s.score,
        computed_score=s.computed_score,
        overridden=s.override is not None,
        cls=score_class(s.score),
        letter=score_letter(s.score),
        plain=(
            "Alleen voornemens gevonden"
            if s.score == Score.LAAG and s.highest_stage == "voornemen"
            else PLAIN_SCORE.get(s.score, s.score)
        ),
        reasons=s.reasons,
        summary=s.summary,
        missing=s.missing_aspect_labels,
        aspect_total=s.aspect_total,
        aspects_found=len(s.aspects_found),
        highest_stage=s.highest_stage,
        signals=[SignalView(g.label, g.detail, g.passage_ids) for g in s.signals],
        dependency_flags=s.dependency_flags,
        regional=s.regional,
        quotes=[cite(e, org.name, app_url) for e in _best_evidence(s)],
        years=s.years,
        open_candidates=s.open_candidates,
    )


# --------------------------------------------------------------------------- sections
def _trend_lines(orgs: list[OrgResult]) -> dict[str, str]:
    """Per measure: per document year, organisations by the highest stage that year."""
    from weerbaar.assess.stage import STAGE_RANK, STAGES

    trend: dict[str, dict[int, Counter[str]]] = {}
    for o in orgs:
        for s in o.scores:
            best: dict[int, int] = {}
            for e in s.evidence_items:
                if e.year:
                    best[e.year] = max(best.get(e.year, 0), STAGE_RANK[e.stage])
            for y, r in best.items():
                trend.setdefault(s.measure, {}).setdefault(y, Counter())[STAGES[r - 1]] += 1
    out = {}
    for measure, per in trend.items():
        out[measure] = "; ".join(
            f"{y}: " + ", ".join(f"{per[y][st]} {st}" for st in STAGES if per[y].get(st))
            for y in sorted(per)
        )
    return out


def _examples(m: MeasureAggregate, orgs: list[OrgResult], app_url: str | None) -> list[Citation]:
    """Example quotes for a measure: best-scoring organisations first."""
    rank: dict[str, int] = {Score.HOOG: 0, Score.MIDDEN: 1, Score.LAAG: 2}
    pairs = [(o, o.score_of(m.measure)) for o in orgs]
    scored = sorted(
        ((o, s) for o, s in pairs if s is not None),
        key=lambda t: (rank.get(t[1].score, 3), t[0].organisation),
    )
    out: list[Citation] = []
    for o, s in scored:
        for e in _best_evidence(s):
            if len(out) >= MAX_QUOTES_PER_MEASURE:
                return out
            out.append(cite(e, o.name, app_url))
    return out


def _measure_views(a: Assessment, app_url: str | None) -> list[MeasureView]:
    trend = _trend_lines(a.organisations)
    out = []
    for m in a.measures:
        n = m.assessed
        out.append(
            MeasureView(
                measure=m.measure,
                title=m.title,
                pillar=m.pillar,
                crucial=m.crucial,
                counts=m.counts,
                shares=m.shares,
                assessed=n,
                pct={k: pct(m.counts[k], n) for k in SCORED},
                national_class=m.national_class,
                classified=m.national_class not in UNCLASSIFIED,
                spread=m.spread,
                nowhere=m.aspects_nowhere_labels,
                signals={SIGNAL_LABELS.get(k, k): v for k, v in m.signal_counts.items()},
                examples=_examples(m, a.organisations, app_url),
                trend=trend.get(m.measure, ""),
            )
        )
    return out


def _knelpunten(orgs: list[OrgResult]) -> list[Knelpunt]:
    """Recurring bottlenecks across organisations."""
    sig_orgs: Counter[str] = Counter()
    sig_measures: dict[str, Counter[str]] = {}
    for o in orgs:
        seen = set()
        for s in o.scores:
            for g in s.signals:
                seen.add(g.code)
                sig_measures.setdefault(g.code, Counter())[s.measure] += 1
        sig_orgs.update(seen)
    return [
        Knelpunt(
            code=code,
            label=SIGNAL_LABELS.get(code, code),
            organisations=cnt,
            pct=pct(cnt, len(orgs)),
            measures=", ".join(f"{k} ({v})" for k, v in sig_measures[code].most_common(5)),
        )
        # most organisations first; a tie by code (not by the order of a set of strings,
        # which differs between processes)
        for code, cnt in sorted(sig_orgs.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _coverage_rows(orgs: list[OrgResult]) -> list[CoverageRow]:
    return [
        CoverageRow(
            organisation=o.organisation,
            name=display_name(o),
            type=o.type,
            region=o.region or "",
            doc_types=", ".join(
                f"{k} {'/'.join(str(y) for y in v)}" if v else k
                for k, v in o.coverage.doc_types.items()
            ),
            sufficient=o.coverage.sufficient,
            missing="; ".join(o.coverage.missing),
            unread="; ".join(o.coverage.unread),
            documents=o.coverage.documents,
            queue_total=o.queue_total,
            queue_reviewed=o.queue_reviewed,
            queue=queue_text(o.queue_reviewed, o.queue_total),
        )
        for o in orgs
    ]


def _region_name(a: Assessment, code: str) -> str:
    region = a.org(code)
    if region is not None:
        return region.name
    return next((r.name for r in a.regions if r.region == code), code)


def _region_part(focus: OrgResult | None, a: Assessment, app_url: str | None) -> RegionPart | None:
    if focus is None or focus.type != "gemeente" or not focus.region:
        return None
    name = _region_name(a, focus.region)
    return RegionPart(
        code=focus.region,
        name=name,
        assessed=a.org(focus.region) is not None,
        title=region_title(name),
        carried=[
            score_view(s, focus, app_url)
            for s in focus.scores
            if s.regional and s.regional.carried_by_region
        ],
    )


def _row_groups(orgs: list[OrgResult]) -> list[tuple[int, str]] | None:
    if len(orgs) <= HEATMAP_TABLE_MAX_ROWS:
        return None
    groups: list[tuple[int, str]] = []
    last = None
    for i, o in enumerate(orgs):
        key = o.region or o.organisation
        if key != last:
            groups.append((i, key))
            last = key
    return groups


def _region_rows(a: Assessment) -> list[RegionRow]:
    out = []
    for r in a.regions:
        own = Counter(r.region_scores.values())
        munis: Counter[str] = Counter()
        for per in r.counts.values():
            munis.update(per)
        out.append(
            RegionRow(
                region=r.region,
                name=r.name,
                municipalities=len(r.municipalities),
                coverage=f"{r.coverage_sufficient} van {r.coverage_total}",
                own={k: own.get(k, 0) for k in PLAIN_SCORE},
                munis={k: munis.get(k, 0) for k in PLAIN_SCORE},
                carried=sum(r.carried.values()),
            )
        )
    return out


def _dependency_rows(a: Assessment) -> list[DependencyRow]:
    titles = {m.id: m.title for m in a.measure_info.values()}
    pairs = Counter((f.measure, f.depends_on) for f in a.dependency_flags)
    n = len(a.organisations)
    return [
        DependencyRow(m, titles.get(m, ""), d, titles.get(d, ""), k, pct(k, n))
        for (m, d), k in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _heat_chunks(orgs: list[OrgResult], a: Assessment) -> list[HeatChunk]:
    """Table 1 transposed (measures as rows) in chunks of organisations, for print."""
    measures = list(a.measure_info.values())
    return [
        HeatChunk(
            orgs=[OrgRef(o.organisation, display_name(o)) for o in orgs[i : i + HEAT_CHUNK]],
            rows=[
                HeatRow(
                    measure=m.id,
                    title=m.title,
                    crucial=m.crucial,
                    scores=[o.scores[j].score for o in orgs[i : i + HEAT_CHUNK]],
                )
                for j, m in enumerate(measures)
            ],
        )
        for i in range(0, len(orgs), HEAT_CHUNK)
    ]


def _pillar_views(a: Assessment) -> list[PillarView]:
    out = []
    for p in a.pillars:
        scored = sum(p.counts[x] for x in SCORED)
        out.append(
            PillarView(
                pillar=p.pillar,
                name=p.name,
                counts=p.counts,
                total=sum(p.counts.values()),
                pct={k: pct(p.counts[k], scored) for k in SCORED},
            )
        )
    return out


def _year_views(a: Assessment) -> list[YearView]:
    return [YearView(y.year, y.passages, y.organisations, y.measures, y.stages) for y in a.years]


def review_counts(orgs: list[OrgResult]) -> ReviewCounts:
    """The one count of human review in a report (see :class:`ReviewCounts`)."""
    return ReviewCounts(
        offered=sum(o.queue_total for o in orgs),
        reviewed=sum(o.queue_reviewed for o in orgs),
        validated=sum(
            len({e.passage_id for e in s.evidence_items}) for o in orgs for s in o.scores
        ),
    )


def _scope_region_name(a: Assessment, scope: Scope) -> str | None:
    if scope.kind != "regio":
        return None
    code = (scope.code or "").upper()
    return _region_name(a, code) if (a.org(code) or a.regions) else scope.code


def build_context(
    a: Assessment,
    scope: Scope,
    *,
    generated_at: str,
    app_url: str | None = None,
    unread: list[dict[str, str]] | None = None,
    document_names: dict[int, str] | None = None,
) -> ReportContext:
    """Everything a report shows, for one scope."""
    orgs = a.organisations
    focus: OrgResult | None = None
    if scope.kind == "organisatie":
        focus = next((o for o in orgs if o.organisation == scope.code), None)
        if focus is None:
            raise ReportError(f"Organisatie {scope.code} komt niet voor in de werkruimte.")
    region_name = _scope_region_name(a, scope)
    scope_orgs = [focus] if focus is not None else list(orgs)
    sorted_orgs = sorted(
        orgs, key=lambda o: (o.region or o.organisation, o.type != "veiligheidsregio", o.name)
    )
    measures = _measure_views(a, app_url)
    knelpunten = _knelpunten(orgs)
    coverage = _coverage_rows(sorted_orgs)
    review = review_counts(scope_orgs)
    names = {o.organisation: o.name for o in orgs}
    focus_scores = [score_view(s, focus, app_url) for s in focus.scores] if focus else []
    if focus is not None:
        findings = org_findings(focus, a, review, app_url)
    else:
        findings = region_findings(a, measures, knelpunten, scope, review, app_url)
    return ReportContext(
        scope=scope,
        title=_title(scope, focus, region_name),
        generated_at=generated_at,
        catalog_version=a.catalog_version,
        reference_year=a.reference_year,
        class_label="Landelijk beeld" if scope.kind == "landelijk" else "Beeld in de regio",
        n_orgs=len(orgs),
        n_munis=sum(1 for o in orgs if o.type == "gemeente"),
        n_regions=sum(1 for o in orgs if o.type == "veiligheidsregio"),
        n_orgs_text=plural(len(orgs), "organisatie", "organisaties"),
        no_documents=sum(o.coverage.documents for o in scope_orgs) == 0,
        scope_name=focus.name if focus else (region_title(region_name) if region_name else ""),
        focus=focus,
        focus_scores=focus_scores,
        region_part=_region_part(focus, a, app_url),
        columns=[m.id for m in a.measure_info.values()],
        column_titles=[m.title for m in a.measure_info.values()],
        orgs=[OrgRef(o.organisation, display_name(o), o.type) for o in sorted_orgs],
        matrix=[[s.score for s in o.scores] for o in sorted_orgs],
        row_groups=_row_groups(sorted_orgs),
        heat_table=len(sorted_orgs) <= HEATMAP_TABLE_MAX_ROWS,
        heat_chunks=_heat_chunks(sorted_orgs, a),
        measures=measures,
        crucial=[v for v in measures if v.crucial],
        pillars=_pillar_views(a),
        years=_year_views(a),
        knelpunten=knelpunten,
        coverage=coverage,
        coverage_ok=sum(1 for c in coverage if c.sufficient),
        regions=_region_rows(a),
        dependency_flags=[
            DependencyFlagView(f.organisation, names.get(f.organisation, f.organisation), f.message)
            for f in a.dependency_flags
        ],
        dependency_summary=_dependency_rows(a),
        findings=findings,
        classes=dict(Counter(m.national_class for m in a.measures)),
        review=review,
        not_yet=sum(1 for o in scope_orgs for s in o.scores if s.score == Score.NOG_NIET),
        glossary=glossary_for(_texts(measures, knelpunten, findings, focus_scores)),
        levels=list(LEVELS),
        spread_terms=list(SPREAD_TERMS),
        unread=unread or [],
        document_names=document_names or {},
    )


def _texts(
    measures: list[MeasureView],
    knelpunten: list[Knelpunt],
    findings: list[Finding],
    focus_scores: list[ScoreView],
) -> list[str]:
    """The report's own text (not the quotes), to find the abbreviations it uses."""
    out = [m.title for m in measures] + [k.label for k in knelpunten] + [f.text for f in findings]
    for m in measures:
        out += m.nowhere + list(m.signals)
    for v in focus_scores:
        out += v.missing + v.reasons + v.summary + v.dependency_flags + [g.label for g in v.signals]
        out += [g.detail for g in v.signals]
    return out


def _title(scope: Scope, focus: OrgResult | None, region_name: str | None) -> str:
    if scope.kind == "organisatie" and focus is not None:
        return f"Weerbaarheid en veerkracht: {focus.name}"
    if scope.kind == "regio":
        return f"Weerbaarheid en veerkracht: {region_title(region_name or '')} en gemeenten"
    return "Weerbaarheid en veerkracht: landelijke inventarisatie"


# --------------------------------------------------------------------------- findings
def _top_citations(
    org: OrgResult, measures: list[str], app_url: str | None, *, per_measure: int = 1
) -> tuple[Citation, ...]:
    out: list[Citation] = []
    for mid in measures:
        s = org.score_of(mid)
        if s is not None:
            out += [cite(e, org.name, app_url) for e in _best_evidence(s)[:per_measure]]
    return tuple(out)


def _signal_citations(
    orgs: list[OrgResult], code: str, app_url: str | None, limit: int = 3
) -> tuple[Citation, ...]:
    """The passages in which a bottleneck was signalled (one per organisation first)."""
    out: list[Citation] = []
    for o in orgs:
        for s in o.scores:
            items = {e.passage_id: e for e in s.evidence_items}
            for g in s.signals:
                if g.code != code:
                    continue
                found = [items[p] for p in g.passage_ids if p in items]
                if found:
                    out.append(cite(found[0], o.name, app_url))
                    break
            else:
                continue
            break
        if len(out) >= limit:
            break
    return tuple(out)


def dependency_examples(
    a: Assessment, orgs: list[OrgResult], app_url: str | None, limit: int = 3
) -> Finding | None:
    """ "N keer scoort een maatregel hoger dan een maatregel waarvan hij afhangt", with the
    real cases as examples (computed from the data, each with its source)."""
    codes = {o.organisation for o in orgs}
    flags = [f for f in a.dependency_flags if f.organisation in codes]
    if not flags:
        return None
    titles = {m.id: m.title for m in a.measure_info.values()}
    by_code = {o.organisation: o for o in orgs}
    examples, sources = [], []
    for f in flags[:limit]:
        org = by_code[f.organisation]
        examples.append(
            f"{org.name}: {f.measure} ({titles.get(f.measure, '')}) scoort {f.score}, "
            f"{f.depends_on} ({titles.get(f.depends_on, '')}) scoort {f.depends_score}"
        )
        sources += _top_citations(org, [f.measure], app_url)
    n = len(flags)
    return Finding(
        text=(
            f"{n} keer scoort een maatregel hoger dan een maatregel die er een voorwaarde "
            f"voor is. {form(n, 'Voorbeeld', 'Voorbeelden')}: " + "; ".join(examples) + "."
        ),
        sources=tuple(sources),
    )


def _count_sentence(org: OrgResult) -> str:
    c = Counter(s.score for s in org.scores)
    return (
        f"{org.name}: {c.get(Score.HOOG, 0)} van de {len(org.scores)} maatregelen Hoog, "
        f"{c.get(Score.MIDDEN, 0)} Midden, {c.get(Score.LAAG, 0)} Laag"
        + (f", {c[Score.NOG_NIET]} nog niet beoordeeld" if c.get(Score.NOG_NIET) else "")
        + (
            f" en {c[Score.ONVOLDOENDE]} met onvoldoende bronnen"
            if c.get(Score.ONVOLDOENDE)
            else ""
        )
        + "."
    )


def _crucial_finding(org: OrgResult, app_url: str | None) -> Finding:
    crucial = [s for s in org.scores if s.crucial]
    hc = [s.measure for s in crucial if s.score == Score.HOOG]
    nb = sum(1 for s in crucial if s.score == Score.NOG_NIET)
    text = (
        f"Van de {len(crucial)} cruciale maatregelen scoren er {len(hc)} Hoog"
        + (f" ({', '.join(hc)})" if hc else "")
        + f" en {sum(1 for s in crucial if s.score == Score.LAAG)} Laag"
        + (f"; {nb} zijn nog niet beoordeeld" if nb else "")
        + "."
    )
    return Finding(text, _top_citations(org, hc, app_url), "" if hc else READ_BASIS)


READ_BASIS = "geen gevalideerde passage; zie Verzamelde bronnen voor wat is gelezen"


def org_findings(
    org: OrgResult, a: Assessment, review: ReviewCounts, app_url: str | None = None
) -> list[Finding]:
    """Key findings for one organisation, each with its numbers and its sources."""
    cov = org.coverage
    if cov.documents == 0:
        return [
            Finding(
                f"Van {org.name} is geen enkel document ingelezen"
                + (f" (niet te lezen: {'; '.join(cov.unread)})" if cov.unread else "")
                + f". Er is dus niets beoordeeld; over wat {org.name} heeft gedaan zegt dit "
                "rapport niets."
            )
        ]
    scores = org.scores
    out = [Finding(_count_sentence(org), basis="Tabel 2")]
    if review.offered:
        waiting = sum(1 for s in scores if s.open_candidates)
        out.append(
            Finding(
                review.text
                + (
                    f" Bij {plural(waiting, 'maatregel', 'maatregelen')} wachten nog passages."
                    if waiting
                    else ""
                ),
                basis="beoordelingen in de werkruimte",
            )
        )
    out.append(_crucial_finding(org, app_url))
    scored = [s for s in scores if s.crucial and s.score in SCORED]
    total = sum(s.aspect_total for s in scored)
    if total:
        gaps = sum(len(s.missing_aspects) for s in scored)
        out.append(
            Finding(
                f"Bij de {plural(len(scored), 'beoordeelde cruciale maatregel', 'beoordeelde cruciale maatregelen')} "
                f"zijn {gaps} van de {total} aspecten niet aangetoond (kernhiaten, zie per "
                "maatregel).",
                basis=READ_BASIS,
            )
        )
    out += _org_signal_findings(org, app_url)
    dep = dependency_examples(a, [org], app_url)
    if dep:
        out.append(dep)
    out += _org_region_and_overrides(org, app_url)
    out.append(
        Finding(
            "Ingelezen bronnen: "
            + (
                "; ".join(f"{k} {'/'.join(map(str, v))}" for k, v in cov.doc_types.items())
                or "geen"
            )
            + ("" if cov.sufficient else f"; ontbreekt: {'; '.join(cov.missing)}")
            + (f"; niet te lezen: {'; '.join(cov.unread)}" if cov.unread else "")
            + ".",
            basis="Verzamelde bronnen",
        )
    )
    return out


def _org_signal_findings(org: OrgResult, app_url: str | None) -> list[Finding]:
    sig = Counter(g.code for s in org.scores for g in s.signals)
    if not sig:
        return []
    sources: list[Citation] = []
    for code in sig:
        sources += _signal_citations([org], code, app_url, limit=1)
    return [
        Finding(
            "Knelpunten in de passages: "
            + ", ".join(
                f"{SIGNAL_LABELS.get(k, k).lower()} ({plural(v, 'maatregel', 'maatregelen')})"
                for k, v in sig.most_common()
            )
            + ".",
            tuple(sources),
        )
    ]


def _org_region_and_overrides(org: OrgResult, app_url: str | None) -> list[Finding]:
    out = []
    carried = [s for s in org.scores if s.regional and s.regional.carried_by_region]
    if carried:
        out.append(
            Finding(
                f"Voor {plural(len(carried), 'maatregel', 'maatregelen')} telt de score van de "
                "regio mee: "
                + ", ".join(f"{s.measure} ({s.regional.combined_score})" for s in carried)  # type: ignore[union-attr]
                + ".",
                basis="scores van de veiligheidsregio",
            )
        )
    overridden = [s.measure for s in org.scores if s.override is not None]
    if overridden:
        out.append(
            Finding(
                f"Handmatig aangepaste scores: {', '.join(overridden)}.",
                _top_citations(org, overridden, app_url),
                basis="toelichting van de beoordelaar",
            )
        )
    return out


def region_findings(
    a: Assessment,
    agg: list[MeasureView],
    knelpunten: list[Knelpunt],
    scope: Scope,
    review: ReviewCounts,
    app_url: str | None = None,
) -> list[Finding]:
    """Key findings over several organisations, each with the numbers and the passages
    behind it. A finding is only stated on a base of at least one organisation with a
    score; "most often" needs at least one Hoog, and the same measure is never named as
    both best and worst."""
    orgs = a.organisations
    n_orgs = len(orgs)
    orgs_txt = plural(n_orgs, "organisatie", "organisaties")
    if sum(o.coverage.documents for o in orgs) == 0:
        return [
            Finding(
                f"In dit overzicht ({orgs_txt}) is geen enkel document ingelezen. Er is dus "
                "niets beoordeeld; er zijn geen bevindingen."
            )
        ]
    out = [_class_finding(a, agg, scope, orgs_txt)]
    if review.offered:
        nb = sum(1 for o in orgs for s in o.scores if s.score == Score.NOG_NIET)
        cells = sum(len(o.scores) for o in orgs)
        out.append(
            Finding(
                review.text + f" {nb} van de {cells} scores (organisatie × maatregel) zijn "
                "daardoor nog niet beoordeeld.",
                basis="beoordelingen in de werkruimte",
            )
        )
    out += _best_worst(orgs, agg, app_url)
    nowhere = sum(len(m.nowhere) for m in agg if m.crucial and m.classified)
    if nowhere:
        out.append(
            Finding(
                f"Bij de cruciale maatregelen die zijn in te delen zijn {nowhere} aspecten bij "
                "geen enkele organisatie aangetoond (kernhiaten, zie per maatregel).",
                basis=READ_BASIS,
            )
        )
    if knelpunten:
        k = knelpunten[0]
        out.append(
            Finding(
                f"Het vaakst genoemde knelpunt is '{k.label}': bij {k.organisations} van "
                f"{n_orgs} organisaties ({k.pct}).",
                _signal_citations(orgs, k.code, app_url),
            )
        )
    dep = dependency_examples(a, orgs, app_url)
    if dep:
        out.append(dep)
    ok = sum(1 for o in orgs if o.coverage.sufficient)
    unread = sum(len(o.coverage.unread) for o in orgs)
    out.append(
        Finding(
            f"Bij {ok} van de {orgs_txt} zijn de relevante bronnen voor "
            f"{a.reference_year - 1}-{a.reference_year} ingelezen"
            + (
                f"; {plural(unread, 'document kon', 'documenten konden')} niet worden gelezen "
                "(zie Verzamelde bronnen)."
                if unread
                else "."
            ),
            basis="Verzamelde bronnen",
        )
    )
    return out


def _class_finding(a: Assessment, agg: list[MeasureView], scope: Scope, orgs_txt: str) -> Finding:
    classes = Counter(m.national_class for m in a.measures)
    where = "landelijk" if scope.kind == "landelijk" else "in de regio"
    not_yet = classes.get("nog onvoldoende beoordeeld", 0)
    unknown = classes.get("onbekend (onvoldoende bronnen)", 0)
    classified = len(agg) - not_yet - unknown
    rest = []
    if not_yet:
        rest.append(f"{not_yet} nog onvoldoende beoordeeld")
    if unknown:
        rest.append(f"{unknown} onbekend door te weinig bronnen")
    return Finding(
        f"Van de {len(agg)} maatregelen zijn er {classified} {where} in te delen "
        f"(bij minstens de helft van de {orgs_txt} een score Hoog, Midden of Laag): "
        f"{classes.get('breed geïmplementeerd', 0)} breed, "
        f"{classes.get('gedeeltelijk geïmplementeerd', 0)} gedeeltelijk en "
        f"{classes.get('nauwelijks geïmplementeerd', 0)} nauwelijks geïmplementeerd"
        + ("; " + " en ".join(rest) if rest else "")
        + ".",
        basis="Tabel 2",
    )


def _best_worst(
    orgs: list[OrgResult], agg: list[MeasureView], app_url: str | None
) -> list[Finding]:
    crucial = [m for m in agg if m.crucial and m.assessed and m.classified]
    if not crucial:
        return [
            Finding(
                "Over de cruciale maatregelen valt nog niets te zeggen: bij geen ervan heeft "
                "minstens de helft van de organisaties een score.",
                basis="Tabel 2",
            )
        ]
    best = max(
        (m for m in crucial if m.counts[Score.HOOG] > 0),
        key=lambda m: (m.shares[Score.HOOG], m.counts[Score.HOOG], m.measure),
        default=None,
    )
    worst = max(
        (m for m in crucial if m.counts[Score.LAAG] > 0 and m is not best),
        key=lambda m: (m.shares[Score.LAAG], m.counts[Score.LAAG], m.measure),
        default=None,
    )
    out = []
    if best is not None:
        n = best.counts[Score.HOOG]
        hoog = [o for o in orgs if (s := o.score_of(best.measure)) and s.score == Score.HOOG]
        out.append(
            Finding(
                f"Van de cruciale maatregelen is {best.measure} ({best.title}) het vaakst "
                f"aantoonbaar geregeld: {n} van de {best.assessed} organisaties met een score "
                f"({best.pct[Score.HOOG]}) {form(n, 'scoort', 'scoren')} Hoog.",
                tuple(c for o in hoog for c in _top_citations(o, [best.measure], app_url)),
            )
        )
    if worst is not None:
        n = worst.counts[Score.LAAG]
        laag = [o for o in orgs if (s := o.score_of(worst.measure)) and s.score == Score.LAAG]
        sources = tuple(c for o in laag for c in _top_citations(o, [worst.measure], app_url))
        out.append(
            Finding(
                f"Het minst zichtbaar is {worst.measure} ({worst.title}): {n} van de "
                f"{worst.assessed} organisaties met een score ({worst.pct[Score.LAAG]}) "
                f"{form(n, 'scoort', 'scoren')} Laag.",
                sources,
                "" if sources else READ_BASIS,
            )
        )
    return out
