"""The content of a report, built once from an :class:`Assessment` and shared by every
format (HTML/PDF, Markdown, XLSX, open data). Plain dicts and lists, all text Dutch."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weerbaar.assess.model import SIGNAL_LABELS, Assessment, Evidence, MeasureScore, OrgResult
from weerbaar.assess.rules import doc_label
from weerbaar.errors import WeerbaarError

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


def pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def score_class(score: str) -> str:
    return {
        "Hoog": "s-hoog",
        "Midden": "s-midden",
        "Laag": "s-laag",
    }.get(score, "s-onv")


def score_letter(score: str) -> str:
    return {"Hoog": "H", "Midden": "M", "Laag": "L"}.get(score, "?")


PLAIN_SCORE = {
    "Hoog": "Aantoonbaar geregeld",
    "Midden": "In voorbereiding",
    "Laag": "Weinig of niets gevonden",
    "Onvoldoende bronnen": "Te weinig stukken verzameld",
}


def quote(e: Evidence, org_name: str, out_dir: Path, ws_root: Path) -> dict[str, Any]:
    """A quote: the passage text verbatim with its source and a link to the stored file."""
    href = None
    if e.stored_path:
        target = ws_root / e.stored_path
        href = Path(os.path.relpath(target, out_dir)).as_posix()
        if target.suffix.lower() == ".pdf":
            href += f"#page={e.page_start}"
    page = f"p. {e.page_start}" if e.page_start == e.page_end else f"p. {e.page_start}-{e.page_end}"
    return {
        "passage_id": e.passage_id,
        "document_id": e.document_id,
        "text": " ".join(e.text.split()),
        "organisation": e.organisation_code,
        "organisation_name": org_name,
        "document": doc_label(e.doc_type, e.year, e.title),
        "title": e.title or "",
        "year": e.year,
        "page_start": e.page_start,
        "page_end": e.page_end,
        "page": page,
        "stage": e.stage,
        "href": href,
        "measure": e.measure_id,
    }


def _score_view(s: MeasureScore, org: OrgResult, out_dir: Path, ws_root: Path) -> dict[str, Any]:
    return {
        "measure": s.measure,
        "title": s.measure_title,
        "pillar": s.pillar,
        "crucial": s.crucial,
        "score": s.score,
        "computed_score": s.computed_score,
        "overridden": s.override is not None,
        "cls": score_class(s.score),
        "letter": score_letter(s.score),
        "plain": PLAIN_SCORE.get(s.score, s.score),
        "reasons": s.reasons,
        "summary": s.summary,
        "missing": s.missing_aspect_labels,
        "aspect_total": s.aspect_total,
        "aspects_found": len(s.aspects_found),
        "highest_stage": s.highest_stage,
        "signals": [
            {"label": g.label, "detail": g.detail, "ids": g.passage_ids} for g in s.signals
        ],
        "dependency_flags": s.dependency_flags,
        "regional": s.regional,
        "quotes": [quote(e, org.name, out_dir, ws_root) for e in s.evidence_items],
        "years": s.years,
    }


def build_context(
    a: Assessment, scope: Scope, *, out_dir: Path, ws_root: Path, generated_at: str
) -> dict[str, Any]:
    """Everything a report shows, for one scope."""
    orgs = a.organisations
    names = {o.organisation: o.name for o in orgs}
    focus: OrgResult | None = None
    if scope.kind == "organisatie":
        focus = next((o for o in orgs if o.organisation == scope.code), None)
        if focus is None:
            raise ReportError(f"Organisatie {scope.code} komt niet voor in de werkruimte.")
    region_name = None
    if scope.kind == "regio":
        region_name = next((r.name for r in a.regions if r.region == scope.code), scope.code)

    measures = list(a.measure_info.values())
    columns = [m.id for m in measures]
    sorted_orgs = sorted(
        orgs, key=lambda o: (o.region or o.organisation, o.type != "veiligheidsregio", o.name)
    )
    matrix = [[s.score for s in o.scores] for o in sorted_orgs]
    n_orgs = len(orgs)
    n_munis = sum(1 for o in orgs if o.type == "gemeente")
    n_regions = sum(1 for o in orgs if o.type == "veiligheidsregio")

    # Development per measure: per year, organisations by the highest stage that year.
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

    def trend_line(measure: str) -> str:
        per = trend.get(measure)
        if not per:
            return ""
        parts = []
        for y in sorted(per):
            c = per[y]
            parts.append(f"{y}: " + ", ".join(f"{c[st]} {st}" for st in STAGES if c.get(st)))
        return "; ".join(parts)

    # Measure aggregates with example quotes (best-scoring organisations first).
    rank = {"Hoog": 0, "Midden": 1, "Laag": 2}
    agg_views = []
    for m in a.measures:
        examples: list[dict[str, Any]] = []
        scored = sorted(
            ((o, o.score_of(m.measure)) for o in orgs),
            key=lambda t: (rank.get(t[1].score, 3), t[0].organisation),  # type: ignore[union-attr]
        )
        for o, s in scored:
            if s is None:
                continue
            for e in s.evidence_items:
                if len(examples) >= MAX_QUOTES_PER_MEASURE:
                    break
                examples.append(quote(e, o.name, out_dir, ws_root))
        n = m.assessed
        agg_views.append(
            {
                "measure": m.measure,
                "title": m.title,
                "pillar": m.pillar,
                "crucial": m.crucial,
                "counts": m.counts,
                "shares": m.shares,
                "assessed": n,
                "pct": {k: pct(m.counts[k], n) for k in ("Hoog", "Midden", "Laag")},
                "national_class": m.national_class,
                "spread": m.spread,
                "nowhere": m.aspects_nowhere_labels,
                "signals": {SIGNAL_LABELS.get(k, k): v for k, v in m.signal_counts.items()},
                "examples": examples,
                "trend": trend_line(m.measure),
            }
        )

    # Recurring bottlenecks across organisations.
    sig_orgs: Counter[str] = Counter()
    sig_measures: dict[str, Counter[str]] = {}
    for o in orgs:
        seen = set()
        for s in o.scores:
            for g in s.signals:
                seen.add(g.code)
                sig_measures.setdefault(g.code, Counter())[s.measure] += 1
        sig_orgs.update(seen)
    knelpunten = [
        {
            "code": code,
            "label": SIGNAL_LABELS.get(code, code),
            "organisations": cnt,
            "pct": pct(cnt, n_orgs),
            "measures": ", ".join(f"{k} ({v})" for k, v in sig_measures[code].most_common(5)),
        }
        for code, cnt in sig_orgs.most_common()
    ]

    classes = Counter(m.national_class for m in a.measures)
    findings = (
        _org_findings(focus, a)
        if focus is not None
        else _findings(a, agg_views, knelpunten, n_orgs, classes)
    )

    coverage = [
        {
            "organisation": o.organisation,
            "name": o.name,
            "type": o.type,
            "region": o.region or "",
            "doc_types": ", ".join(
                f"{k} {'/'.join(str(y) for y in v)}" if v else k
                for k, v in o.coverage.doc_types.items()
            ),
            "sufficient": o.coverage.sufficient,
            "missing": "; ".join(o.coverage.missing),
        }
        for o in sorted_orgs
    ]

    region_part = None
    if focus is not None and focus.type == "gemeente" and focus.region:
        region = a.org(focus.region)
        carried = [
            _score_view(s, focus, out_dir, ws_root)
            for s in focus.scores
            if s.regional and s.regional.carried_by_region
        ]
        region_part = {
            "code": focus.region,
            "name": region.name if region else focus.region,
            "assessed": region is not None,
            "carried": carried,
        }

    row_groups = None
    if len(sorted_orgs) > HEATMAP_TABLE_MAX_ROWS:
        row_groups, last = [], None
        for i, o in enumerate(sorted_orgs):
            key = o.region or o.organisation
            if key != last:
                row_groups.append((i, key))
                last = key

    regions = []
    for r in a.regions:
        own = Counter(r.region_scores.values())
        munis: Counter[str] = Counter()
        for per in r.counts.values():
            munis.update(per)
        regions.append(
            {
                "region": r.region,
                "name": r.name,
                "municipalities": len(r.municipalities),
                "coverage": f"{r.coverage_sufficient} van {r.coverage_total}",
                "own": {k: own.get(k, 0) for k in PLAIN_SCORE},
                "munis": {k: munis.get(k, 0) for k in PLAIN_SCORE},
                "carried": sum(r.carried.values()),
            }
        )

    dep_pairs = Counter((f.measure, f.depends_on) for f in a.dependency_flags)
    dependency_summary = [
        {"measure": m, "depends_on": d, "organisations": n, "pct": pct(n, n_orgs)}
        for (m, d), n in sorted(dep_pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    ]

    return {
        "scope": scope,
        "regions": regions,
        "dependency_summary": dependency_summary,
        "title": _title(scope, focus, region_name),
        "generated_at": generated_at,
        "catalog_version": a.catalog_version,
        "reference_year": a.reference_year,
        "n_orgs": n_orgs,
        "n_munis": n_munis,
        "n_regions": n_regions,
        "focus": focus,
        "focus_scores": [_score_view(s, focus, out_dir, ws_root) for s in focus.scores]
        if focus
        else [],
        "region_part": region_part,
        "columns": columns,
        "orgs": [{"code": o.organisation, "name": o.name, "type": o.type} for o in sorted_orgs],
        "matrix": matrix,
        "row_groups": row_groups,
        "heat_table": len(sorted_orgs) <= HEATMAP_TABLE_MAX_ROWS,
        "measures": agg_views,
        "crucial": [v for v in agg_views if v["crucial"]],
        "pillars": [
            {
                "pillar": p.pillar,
                "name": p.name,
                "counts": p.counts,
                "total": sum(p.counts.values()),
                "pct": {
                    k: pct(p.counts[k], sum(p.counts[x] for x in ("Hoog", "Midden", "Laag")))
                    for k in ("Hoog", "Midden", "Laag")
                },
            }
            for p in a.pillars
        ],
        "years": [
            {
                "year": y.year,
                "passages": y.passages,
                "organisations": y.organisations,
                "measures": y.measures,
                "stages": y.stages,
            }
            for y in a.years
        ],
        "knelpunten": knelpunten,
        "coverage": coverage,
        "coverage_ok": sum(1 for c in coverage if c["sufficient"]),
        "dependency_flags": [
            {
                "organisation": f.organisation,
                "name": names.get(f.organisation, f.organisation),
                "message": f.message,
            }
            for f in a.dependency_flags
        ],
        "findings": findings,
        "classes": dict(classes),
    }


def _title(scope: Scope, focus: OrgResult | None, region_name: str | None) -> str:
    if scope.kind == "organisatie" and focus is not None:
        return f"Weerbaarheid en veerkracht: {focus.name}"
    if scope.kind == "regio":
        return f"Weerbaarheid en veerkracht: {region_name} en gemeenten"
    return "Weerbaarheid en veerkracht: landelijke inventarisatie"


def _org_findings(org: OrgResult, a: Assessment) -> list[str]:
    """Key findings for one organisation, each with its numbers."""
    scores = org.scores
    n = len(scores)
    c = Counter(s.score for s in scores)
    out = [
        f"{org.name}: {c.get('Hoog', 0)} van de {n} maatregelen Hoog, {c.get('Midden', 0)} "
        f"Midden, {c.get('Laag', 0)} Laag"
        + (
            f" en {c['Onvoldoende bronnen']} met onvoldoende bronnen"
            if c.get("Onvoldoende bronnen")
            else ""
        )
        + "."
    ]
    crucial = [s for s in scores if s.crucial]
    hc = [s.measure for s in crucial if s.score == "Hoog"]
    out.append(
        f"Van de {len(crucial)} cruciale maatregelen scoren er {len(hc)} Hoog"
        + (f" ({', '.join(hc)})" if hc else "")
        + f" en {sum(1 for s in crucial if s.score == 'Laag')} Laag."
    )
    gaps = sum(len(s.missing_aspects) for s in crucial)
    total = sum(s.aspect_total for s in crucial)
    if total:
        out.append(
            f"Bij de cruciale maatregelen zijn {gaps} van de {total} aspecten niet aangetoond "
            "(kernhiaten, zie per maatregel)."
        )
    sig = Counter(g.label for s in scores for g in s.signals)
    if sig:
        out.append(
            "Knelpunten in de passages: "
            + ", ".join(f"{k.lower()} ({v} maatregelen)" for k, v in sig.most_common())
            + "."
        )
    flags = [f for f in a.dependency_flags if f.organisation == org.organisation]
    if flags:
        out.append(
            f"{len(flags)} keer scoort een maatregel hoger dan een maatregel waarvan hij afhangt, "
            f"bijvoorbeeld: {flags[0].message}"
        )
    carried = [s for s in scores if s.regional and s.regional.carried_by_region]
    if carried:
        out.append(
            f"Voor {len(carried)} maatregel(en) telt de score van de regio mee: "
            + ", ".join(f"{s.measure} ({s.regional.combined_score})" for s in carried)  # type: ignore[union-attr]
            + "."
        )
    overridden = [s.measure for s in scores if s.override is not None]
    if overridden:
        out.append(f"Handmatig aangepaste scores: {', '.join(overridden)}.")
    cov = org.coverage
    out.append(
        "Verzamelde bronnen: "
        + ("; ".join(f"{k} {'/'.join(map(str, v))}" for k, v in cov.doc_types.items()) or "geen")
        + ("." if cov.sufficient else f"; ontbreekt: {'; '.join(cov.missing)}.")
    )
    return out


def _findings(
    a: Assessment,
    agg: list[dict[str, Any]],
    knelpunten: list[dict[str, Any]],
    n_orgs: int,
    classes: Counter[str],
) -> list[str]:
    """Key findings, each with the numbers behind it."""
    out = []
    n_measures = len(agg)
    out.append(
        f"Van de {n_measures} maatregelen zijn er {classes.get('breed geïmplementeerd', 0)} breed, "
        f"{classes.get('gedeeltelijk geïmplementeerd', 0)} gedeeltelijk en "
        f"{classes.get('nauwelijks geïmplementeerd', 0)} nauwelijks geïmplementeerd, bij "
        f"{n_orgs} beoordeelde organisaties"
        + (
            f"; voor {classes['onbekend (onvoldoende bronnen)']} is het beeld onbekend door te "
            "weinig bronnen."
            if classes.get("onbekend (onvoldoende bronnen)")
            else "."
        )
    )
    crucial = [m for m in agg if m["crucial"] and m["assessed"]]
    if crucial:
        best = max(crucial, key=lambda m: (m["shares"]["Hoog"], m["measure"]))
        worst = max(crucial, key=lambda m: (m["shares"]["Laag"], m["measure"]))
        out.append(
            f"Van de cruciale maatregelen is {best['measure']} ({best['title']}) het vaakst "
            f"aantoonbaar geregeld: {best['counts']['Hoog']} van {best['assessed']} organisaties "
            f"({best['pct']['Hoog']}) scoren Hoog."
        )
        out.append(
            f"Het minst zichtbaar is {worst['measure']} ({worst['title']}): "
            f"{worst['counts']['Laag']} van {worst['assessed']} organisaties ({worst['pct']['Laag']}) "
            "scoren Laag."
        )
    nowhere = sum(len(m["nowhere"]) for m in agg if m["crucial"])
    if nowhere:
        out.append(
            f"Bij de cruciale maatregelen zijn {nowhere} aspecten bij geen enkele organisatie "
            "aangetoond (kernhiaten, zie per maatregel)."
        )
    if knelpunten:
        k = knelpunten[0]
        out.append(
            f"Het vaakst genoemde knelpunt is '{k['label']}': bij {k['organisations']} van "
            f"{n_orgs} organisaties ({k['pct']})."
        )
    flags = len(a.dependency_flags)
    if flags:
        out.append(
            f"{flags} keer scoort een maatregel hoger dan een maatregel waarvan hij afhangt "
            "(bijvoorbeeld noodsteunpunten zonder noodstroom)."
        )
    ok = sum(1 for o in a.organisations if o.coverage.sufficient)
    out.append(
        f"Bij {ok} van {n_orgs} organisaties zijn de relevante bronnen voor "
        f"{a.reference_year - 1}-{a.reference_year} verzameld."
    )
    return out
