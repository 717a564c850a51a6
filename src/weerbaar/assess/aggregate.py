"""From inputs to a complete :class:`Assessment`: scores per organisation per measure, the
region's part for its municipalities, dependency flags and aggregates per measure,
region, pillar and year. Pure functions over plain data; no database here."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from weerbaar.assess.model import (
    SCORE_RANK,
    SCORES_HML,
    SCORES_UNSCORED,
    Assessment,
    DependencyFlag,
    DocumentInfo,
    Evidence,
    MeasureAggregate,
    MeasureInfo,
    OrgInfo,
    OrgResult,
    Override,
    PillarAggregate,
    RegionAggregate,
    RegionalPart,
    Score,
    YearAggregate,
)
from weerbaar.assess.rules import coverage_for, score_measure
from weerbaar.assess.stage import STAGES

# National classification (docs/beoordeling.md): share of Hoog among the organisations
# with a Hoog/Midden/Laag score.
BREED_MIN_HOOG = 0.5
NAUWELIJKS_MIN_LAAG = 0.5
CONSISTENT_MIN_SHARE = 0.8  # share of one level for "eenduidig"
STRONG_SPLIT_MIN_SHARE = 0.2  # Hoog and Laag each at least this: "sterk wisselend"


def carried_by_region(measure: MeasureInfo, role: str | None) -> bool:
    """Whether a region's work on a measure counts for its municipalities: the role
    matrix says the region is responsible (``veiligheidsregio`` or ``samen``), or, without
    an agreed role, the catalogue names safety regions as (one of the) responsible."""
    if role:
        return role in ("veiligheidsregio", "samen")
    return any("veiligheidsregio" in r.lower() for r in measure.responsible)


MIN_SCORED_SHARE = 0.5  # a class only when at least half of the organisations have H/M/L
NOT_YET_ASSESSED = "nog onvoldoende beoordeeld"
UNKNOWN_SOURCES = "onbekend (onvoldoende bronnen)"
UNCLASSIFIED = (NOT_YET_ASSESSED, UNKNOWN_SOURCES)


def national_class(counts: Mapping[str, int]) -> tuple[str, str]:
    """(classification, spread) from the counts of one measure. A class needs at least
    ``MIN_SCORED_SHARE`` of the organisations with a Hoog/Midden/Laag score; otherwise
    "nog onvoldoende beoordeeld" (most are waiting for review) or "onbekend
    (onvoldoende bronnen)" (most lack sources)."""
    n = sum(counts.get(s, 0) for s in SCORES_HML)
    total = n + sum(counts.get(s, 0) for s in SCORES_UNSCORED)
    if n == 0 or n < MIN_SCORED_SHARE * total:
        if counts.get(Score.NOG_NIET, 0) and counts.get(Score.NOG_NIET, 0) >= counts.get(
            Score.ONVOLDOENDE, 0
        ):
            return NOT_YET_ASSESSED, "onbekend"
        return UNKNOWN_SOURCES, "onbekend"
    h = counts.get(Score.HOOG, 0) / n
    m = counts.get(Score.MIDDEN, 0) / n
    low = counts.get(Score.LAAG, 0) / n
    if h >= BREED_MIN_HOOG:
        cls = "breed geïmplementeerd"
    elif low >= NAUWELIJKS_MIN_LAAG:
        cls = "nauwelijks geïmplementeerd"
    else:
        cls = "gedeeltelijk geïmplementeerd"
    return cls, spread_of(h, m, low)


def spread_of(h: float, m: float, low: float) -> str:
    """How much the organisations with a score agree (shares of Hoog, Midden, Laag):
    "eenduidig" when at least ``CONSISTENT_MIN_SHARE`` share one level and Hoog and Laag
    do not occur together; "sterk wisselend" when both Hoog and Laag reach
    ``STRONG_SPLIT_MIN_SHARE``; otherwise "wisselend". One Hoog and three Laag is
    "sterk wisselend", not "eenduidig"."""
    if h >= STRONG_SPLIT_MIN_SHARE and low >= STRONG_SPLIT_MIN_SHARE:
        return "sterk wisselend"
    if max(h, m, low) >= CONSISTENT_MIN_SHARE and not (h > 0 and low > 0):
        return "eenduidig"
    return "wisselend"


def _counts(counter: Mapping[str, int]) -> dict[str, int]:
    """Count per score level, every level present (0 where none)."""
    return {s.value: counter.get(s.value, 0) for s in Score}


def _shares(counts: Mapping[str, int]) -> tuple[int, dict[str, float]]:
    """(organisations with Hoog/Midden/Laag, share of each of those levels)."""
    n = sum(counts[s] for s in SCORES_HML)
    return n, {s.value: (round(counts[s] / n, 4) if n else 0.0) for s in SCORES_HML}


def compute(
    *,
    catalog_version: str,
    measures: Sequence[MeasureInfo],
    pillar_names: Mapping[int, str],
    organisations: Sequence[OrgInfo],
    documents: Iterable[DocumentInfo],
    evidence: Iterable[Evidence],
    overrides: Iterable[Override] = (),
    roles: Mapping[tuple[str, str], str] | None = None,
    reference_year: int,
    region_names: Mapping[str, str] | None = None,
    queue: Mapping[tuple[str, str], tuple[int, int]] | None = None,
    unscanned: set[tuple[str, str]] | None = None,
) -> Assessment:
    """Compute the full assessment from plain inputs. ``queue`` maps (organisation,
    measure) to (candidates in the review queue, of which nobody has decided yet);
    ``unscanned`` holds the (organisation, measure) pairs no scan has covered yet."""
    all_evidence = list(evidence)
    measure_info = {m.id: m for m in measures}
    results = score_organisations(
        measures,
        organisations,
        documents,
        all_evidence,
        overrides,
        reference_year=reference_year,
        queue=queue or {},
        unscanned=unscanned or set(),
    )
    apply_regional_parts(results, measure_info, roles or {})
    flags = dependency_flags(results, measure_info)
    return Assessment(
        catalog_version=catalog_version,
        reference_year=reference_year,
        organisations=results,
        measures=measure_aggregates(measures, results),
        regions=region_aggregates(measures, results, region_names or {}),
        pillars=pillar_aggregates(measures, results, pillar_names),
        years=year_aggregates(all_evidence),
        dependency_flags=flags,
        measure_info=measure_info,
        org_info={o.code: o for o in organisations},
        pillar_names=dict(pillar_names),
    )


def score_organisations(
    measures: Sequence[MeasureInfo],
    organisations: Sequence[OrgInfo],
    documents: Iterable[DocumentInfo],
    evidence: Iterable[Evidence],
    overrides: Iterable[Override],
    *,
    reference_year: int,
    queue: Mapping[tuple[str, str], tuple[int, int]],
    unscanned: set[tuple[str, str]],
) -> list[OrgResult]:
    """Each organisation's own coverage and score per measure (before the region's part)."""
    docs_by_org: dict[str, list[DocumentInfo]] = defaultdict(list)
    for d in documents:
        docs_by_org[d.organisation_code].append(d)
    ev_by: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for e in evidence:
        ev_by[(e.organisation_code, e.measure_id)].append(e)
    ov_by = {(o.organisation_code, o.measure_id): o for o in overrides}
    results: list[OrgResult] = []
    for org in organisations:
        cov = coverage_for(org, docs_by_org.get(org.code, []), reference_year)
        scores = [
            score_measure(
                org,
                m,
                ev_by.get((org.code, m.id), []),
                cov,
                reference_year,
                ov_by.get((org.code, m.id)),
                queue.get((org.code, m.id), (0, 0)),
                scanned=(org.code, m.id) not in unscanned,
            )
            for m in measures
        ]
        results.append(OrgResult(org.code, org.name, org.type, org.region_code, cov, scores))
    return results


def apply_regional_parts(
    results: Sequence[OrgResult],
    measure_info: Mapping[str, MeasureInfo],
    roles: Mapping[tuple[str, str], str],
) -> None:
    """Set the region's part on every municipality's scores (in place): the region's score,
    whether it carries the measure for its municipalities, and the combined score."""
    by_code = {r.organisation: r for r in results}
    for r in results:
        if r.type != "gemeente" or not r.region:
            continue
        region = by_code.get(r.region)
        for s in r.scores:
            rs = region.score_of(s.measure) if region else None
            if rs is None:
                s.regional = RegionalPart(r.region, None, False, s.score)
                continue
            carried = rs.score in (Score.HOOG, Score.MIDDEN) and carried_by_region(
                measure_info[s.measure], roles.get((r.organisation, s.measure))
            )
            combined = s.score
            if carried and (
                s.score not in SCORE_RANK or SCORE_RANK[rs.score] > SCORE_RANK[s.score]
            ):
                combined = rs.score
            s.regional = RegionalPart(r.region, rs.score, carried, combined)
            if carried and combined != s.score:
                s.reasons.append(
                    f"Samen met de regio: {combined}, want {r.region} draagt deze maatregel "
                    f"voor haar gemeenten ({rs.score})."
                )


def dependency_flags(
    results: Sequence[OrgResult], measure_info: Mapping[str, MeasureInfo]
) -> list[DependencyFlag]:
    """Flag each own score that is higher than that of a measure it depends on (the flag
    is also added to the score itself)."""
    flags: list[DependencyFlag] = []
    for r in results:
        for s in r.scores:
            for dep in measure_info[s.measure].depends_on:
                ds = r.score_of(dep)
                if ds is None or s.score not in SCORE_RANK or ds.score not in SCORE_RANK:
                    continue
                if SCORE_RANK[s.score] > SCORE_RANK[ds.score]:
                    msg = (
                        f"{s.measure} scoort {s.score}, maar {dep} waarvan het afhangt scoort "
                        f"{ds.score}."
                    )
                    s.dependency_flags.append(msg)
                    flags.append(
                        DependencyFlag(r.organisation, s.measure, s.score, dep, ds.score, msg)
                    )
    return flags


def measure_aggregates(
    measures: Sequence[MeasureInfo], results: Sequence[OrgResult]
) -> list[MeasureAggregate]:
    """Per measure across organisations: counts, shares, national class and spread, the
    aspects found nowhere and the signals."""
    agg_measures: list[MeasureAggregate] = []
    for m in measures:
        counts = _counts(Counter(r.score_of(m.id).score for r in results))  # type: ignore[union-attr]
        n, shares = _shares(counts)
        cls, spread = national_class(counts)
        assessed = [r.score_of(m.id) for r in results]
        found_any = {a for s in assessed if s for a in s.aspects_found}
        nowhere = [a for a in m.aspects if a.id not in found_any]
        sig = Counter(sg.code for s in assessed if s for sg in s.signals)
        agg_measures.append(
            MeasureAggregate(
                measure=m.id,
                title=m.title,
                pillar=m.pillar,
                crucial=m.crucial,
                counts=counts,
                shares=shares,
                assessed=n,
                spread=spread,
                national_class=cls,
                aspects_nowhere=[a.id for a in nowhere],
                aspects_nowhere_labels=[a.label for a in nowhere],
                signal_counts=dict(sorted(sig.items())),
            )
        )
    return agg_measures


def region_aggregates(
    measures: Sequence[MeasureInfo],
    results: Sequence[OrgResult],
    region_names: Mapping[str, str],
) -> list[RegionAggregate]:
    """Per region: the region itself and its municipalities (combined scores)."""
    by_code = {r.organisation: r for r in results}
    regions: list[RegionAggregate] = []
    region_codes = sorted(
        {r.organisation for r in results if r.type == "veiligheidsregio"}
        | {r.region for r in results if r.type == "gemeente" and r.region}
    )
    for code in region_codes:
        region = by_code.get(code)
        munis = [r for r in results if r.type == "gemeente" and r.region == code]
        counts: dict[str, dict[str, int]] = {}
        carried: dict[str, int] = {}
        for m in measures:
            counts[m.id] = _counts(
                Counter(
                    (s.regional.combined_score if s.regional else s.score)
                    for r in munis
                    if (s := r.score_of(m.id))
                )
            )
            carried[m.id] = sum(
                1
                for r in munis
                if (s := r.score_of(m.id)) and s.regional and s.regional.carried_by_region
            )
        members = [region, *munis] if region else munis
        regions.append(
            RegionAggregate(
                region=code,
                name=region.name if region else region_names.get(code, code),
                municipalities=[r.organisation for r in munis],
                region_scores={s.measure: s.score for s in region.scores} if region else {},
                counts=counts,
                carried=carried,
                coverage_sufficient=len([r for r in members if r and r.coverage.sufficient]),
                coverage_total=len(members),
            )
        )
    return regions


def pillar_aggregates(
    measures: Sequence[MeasureInfo],
    results: Sequence[OrgResult],
    pillar_names: Mapping[int, str],
) -> list[PillarAggregate]:
    """Per pillar: counts and shares over all organisations and the pillar's measures."""
    pillars: list[PillarAggregate] = []
    for p in sorted({m.pillar for m in measures}):
        counts = _counts(Counter(s.score for r in results for s in r.scores if s.pillar == p))
        pillars.append(
            PillarAggregate(
                pillar=p,
                name=pillar_names.get(p, f"Pijler {p}"),
                counts=counts,
                shares=_shares(counts)[1],
            )
        )
    return pillars


def year_aggregates(evidence: Iterable[Evidence]) -> list[YearAggregate]:
    """Per year of the documents: passages, organisations, stages and measures."""
    years: list[YearAggregate] = []
    by_year: dict[int, list[Evidence]] = defaultdict(list)
    for e in evidence:
        if e.year:
            by_year[e.year].append(e)
    for y in sorted(by_year):
        es = by_year[y]
        st = Counter(e.stage for e in es)
        years.append(
            YearAggregate(
                year=y,
                passages=len({(e.passage_id, e.measure_id) for e in es}),
                organisations=len({e.organisation_code for e in es}),
                stages={s: st.get(s, 0) for s in STAGES},
                measures=len({e.measure_id for e in es}),
            )
        )
    return years
