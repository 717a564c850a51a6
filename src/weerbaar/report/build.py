"""The content of a report, built once from an :class:`Assessment` and shared by every
format (HTML/PDF, Markdown, XLSX, open data). Plain dicts and lists, all text Dutch."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weerbaar.assess.aggregate import UNCLASSIFIED
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
        "Nog niet beoordeeld": "s-nb",
    }.get(score, "s-onv")


def score_letter(score: str) -> str:
    return {"Hoog": "H", "Midden": "M", "Laag": "L", "Nog niet beoordeeld": "NB"}.get(score, "?")


PLAIN_SCORE = {
    "Hoog": "Aantoonbaar geregeld",
    "Midden": "In voorbereiding",
    "Laag": "Weinig of niets gevonden",
    "Onvoldoende bronnen": "Te weinig stukken verzameld",
    "Nog niet beoordeeld": "Nog niet gecontroleerd",
}
SCORED = ("Hoog", "Midden", "Laag")
HEAT_CHUNK = 12  # organisations per (transposed) score table: measures as rows


def plural(n: int, one: str, many: str) -> str:
    """ "1 organisatie", "2 organisaties"."""
    return f"{n} {one if n == 1 else many}"


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
        "plain": (
            "Alleen voornemens gevonden"
            if s.score == "Laag" and s.highest_stage == "voornemen"
            else PLAIN_SCORE.get(s.score, s.score)
        ),
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
        code = (scope.code or "").upper()
        region_org = a.org(code)
        region_name = region_org.name if region_org else None
        region_name = region_name or next(
            (r.name for r in a.regions if r.region == code), scope.code
        )
    # the organisations the report is about (an organisation report also shows its region)
    scope_orgs = [focus] if focus is not None else list(orgs)
    read_documents = sum(o.coverage.documents for o in scope_orgs)

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
                "classified": m.national_class not in UNCLASSIFIED,
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
    class_label = "Landelijk beeld" if scope.kind == "landelijk" else "Beeld in de regio"
    findings = (
        _org_findings(focus, a)
        if focus is not None
        else _findings(a, agg_views, knelpunten, n_orgs, classes, scope)
    )

    coverage = [
        {
            "organisation": o.organisation,
            "name": display_name(o),
            "type": o.type,
            "region": o.region or "",
            "doc_types": ", ".join(
                f"{k} {'/'.join(str(y) for y in v)}" if v else k
                for k, v in o.coverage.doc_types.items()
            ),
            "sufficient": o.coverage.sufficient,
            "missing": "; ".join(o.coverage.missing),
            "unread": "; ".join(o.coverage.unread),
            "documents": o.coverage.documents,
            "queue_total": o.queue_total,
            "queue_reviewed": o.queue_reviewed,
            "queue": queue_text(o.queue_reviewed, o.queue_total),
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
            "name": region.name
            if region
            else next((r.name for r in a.regions if r.region == focus.region), focus.region),
            "assessed": region is not None,
            "title": region_title(
                region.name
                if region
                else next((r.name for r in a.regions if r.region == focus.region), focus.region)
            ),
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

    # Table 1 transposed (measures as rows) in chunks of organisations, readable in print.
    heat_chunks = [
        {
            "orgs": [
                {"code": o.organisation, "name": display_name(o)}
                for o in sorted_orgs[i : i + HEAT_CHUNK]
            ],
            "rows": [
                {
                    "measure": m.id,
                    "title": m.title,
                    "crucial": m.crucial,
                    "scores": [row[j] for row in matrix[i : i + HEAT_CHUNK]],
                }
                for j, m in enumerate(measures)
            ],
        }
        for i in range(0, len(sorted_orgs), HEAT_CHUNK)
    ]

    return {
        "scope": scope,
        "class_label": class_label,
        "n_orgs_text": plural(n_orgs, "organisatie", "organisaties"),
        "no_documents": read_documents == 0,
        "scope_name": focus.name if focus else (region_title(region_name) if region_name else ""),
        "heat_chunks": heat_chunks,
        "queue_total": sum(o.queue_total for o in scope_orgs),
        "queue_reviewed": sum(o.queue_reviewed for o in scope_orgs),
        "not_yet": sum(1 for o in scope_orgs for s in o.scores if s.score == "Nog niet beoordeeld"),
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
        "orgs": [
            {"code": o.organisation, "name": display_name(o), "type": o.type} for o in sorted_orgs
        ],
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
        return f"Weerbaarheid en veerkracht: {region_title(region_name or '')} en gemeenten"
    return "Weerbaarheid en veerkracht: landelijke inventarisatie"


def _org_findings(org: OrgResult, a: Assessment) -> list[str]:
    """Key findings for one organisation, each with its numbers."""
    scores = org.scores
    n = len(scores)
    c = Counter(s.score for s in scores)
    cov = org.coverage
    if cov.documents == 0:
        out = [
            f"Van {org.name} is geen enkel document ingelezen"
            + (f" (niet te lezen: {'; '.join(cov.unread)})" if cov.unread else "")
            + ". Er is dus niets beoordeeld; over wat "
            f"{org.name} heeft gedaan zegt dit rapport niets."
        ]
        return out
    out = [
        f"{org.name}: {c.get('Hoog', 0)} van de {n} maatregelen Hoog, {c.get('Midden', 0)} "
        f"Midden, {c.get('Laag', 0)} Laag"
        + (
            f", {c['Nog niet beoordeeld']} nog niet beoordeeld"
            if c.get("Nog niet beoordeeld")
            else ""
        )
        + (
            f" en {c['Onvoldoende bronnen']} met onvoldoende bronnen"
            if c.get("Onvoldoende bronnen")
            else ""
        )
        + "."
    ]
    if org.queue_total:
        waiting = sum(1 for s in scores if s.open_candidates)
        out.append(
            f"Van de {org.queue_total} passages die de scan ter controle voorlegde zijn er "
            f"{org.queue_reviewed} ({pct(org.queue_reviewed, org.queue_total)}) gecontroleerd"
            + (
                f"; bij {plural(waiting, 'maatregel', 'maatregelen')} wachten nog passages."
                if waiting
                else "."
            )
        )
    crucial = [s for s in scores if s.crucial]
    hc = [s.measure for s in crucial if s.score == "Hoog"]
    nb = sum(1 for s in crucial if s.score == "Nog niet beoordeeld")
    out.append(
        f"Van de {len(crucial)} cruciale maatregelen scoren er {len(hc)} Hoog"
        + (f" ({', '.join(hc)})" if hc else "")
        + f" en {sum(1 for s in crucial if s.score == 'Laag')} Laag"
        + (f"; {nb} zijn nog niet beoordeeld" if nb else "")
        + "."
    )
    scored = [s for s in crucial if s.score in SCORED]
    gaps = sum(len(s.missing_aspects) for s in scored)
    total = sum(s.aspect_total for s in scored)
    if total:
        out.append(
            f"Bij de {plural(len(scored), 'beoordeelde cruciale maatregel', 'beoordeelde cruciale maatregelen')} "
            f"zijn {gaps} van de {total} aspecten niet aangetoond (kernhiaten, zie per maatregel)."
        )
    sig = Counter(g.label for s in scores for g in s.signals)
    if sig:
        out.append(
            "Knelpunten in de passages: "
            + ", ".join(
                f"{k.lower()} ({plural(v, 'maatregel', 'maatregelen')})"
                for k, v in sig.most_common()
            )
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
            f"Voor {plural(len(carried), 'maatregel', 'maatregelen')} telt de score van de "
            "regio mee: "
            + ", ".join(f"{s.measure} ({s.regional.combined_score})" for s in carried)  # type: ignore[union-attr]
            + "."
        )
    overridden = [s.measure for s in scores if s.override is not None]
    if overridden:
        out.append(f"Handmatig aangepaste scores: {', '.join(overridden)}.")
    out.append(
        "Ingelezen bronnen: "
        + ("; ".join(f"{k} {'/'.join(map(str, v))}" for k, v in cov.doc_types.items()) or "geen")
        + ("" if cov.sufficient else f"; ontbreekt: {'; '.join(cov.missing)}")
        + (f"; niet te lezen: {'; '.join(cov.unread)}" if cov.unread else "")
        + "."
    )
    return out


def _findings(
    a: Assessment,
    agg: list[dict[str, Any]],
    knelpunten: list[dict[str, Any]],
    n_orgs: int,
    classes: Counter[str],
    scope: Scope,
) -> list[str]:
    """Key findings, each with the numbers behind it. A finding is only stated on a base
    of at least one organisation with a score; "most often" needs at least one Hoog, and
    the same measure is never named as both best and worst."""
    out = []
    orgs_txt = plural(n_orgs, "organisatie", "organisaties")
    if sum(o.coverage.documents for o in a.organisations) == 0:
        return [
            f"In dit overzicht ({orgs_txt}) is geen enkel document ingelezen. Er is dus "
            "niets beoordeeld; er zijn geen bevindingen."
        ]
    where = "landelijk" if scope.kind == "landelijk" else "in de regio"
    n_measures = len(agg)
    not_yet = classes.get("nog onvoldoende beoordeeld", 0)
    unknown = classes.get("onbekend (onvoldoende bronnen)", 0)
    classified = n_measures - not_yet - unknown
    head = (
        f"Van de {n_measures} maatregelen zijn er {classified} {where} in te delen "
        f"(bij minstens de helft van de {orgs_txt} een score Hoog, Midden of Laag): "
        f"{classes.get('breed geïmplementeerd', 0)} breed, "
        f"{classes.get('gedeeltelijk geïmplementeerd', 0)} gedeeltelijk en "
        f"{classes.get('nauwelijks geïmplementeerd', 0)} nauwelijks geïmplementeerd"
    )
    rest = []
    if not_yet:
        rest.append(f"{not_yet} nog onvoldoende beoordeeld")
    if unknown:
        rest.append(f"{unknown} onbekend door te weinig bronnen")
    out.append(head + ("; " + " en ".join(rest) if rest else "") + ".")
    total_q = sum(o.queue_total for o in a.organisations)
    if total_q:
        reviewed = sum(o.queue_reviewed for o in a.organisations)
        cells = sum(len(o.scores) for o in a.organisations)
        nb = sum(1 for o in a.organisations for s in o.scores if s.score == "Nog niet beoordeeld")
        out.append(
            f"Van de {total_q} passages die de scan ter controle voorlegde zijn er {reviewed} "
            f"({pct(reviewed, total_q)}) gecontroleerd; {nb} van de {cells} scores "
            "(organisatie × maatregel) zijn daardoor nog niet beoordeeld."
        )
    crucial = [m for m in agg if m["crucial"] and m["assessed"] and m["classified"]]
    best = max(
        (m for m in crucial if m["counts"]["Hoog"] > 0),
        key=lambda m: (m["shares"]["Hoog"], m["counts"]["Hoog"], m["measure"]),
        default=None,
    )
    worst = max(
        (m for m in crucial if m["counts"]["Laag"] > 0 and m is not best),
        key=lambda m: (m["shares"]["Laag"], m["counts"]["Laag"], m["measure"]),
        default=None,
    )
    if best is not None:
        out.append(
            f"Van de cruciale maatregelen is {best['measure']} ({best['title']}) het vaakst "
            f"aantoonbaar geregeld: {best['counts']['Hoog']} van de {best['assessed']} "
            f"organisaties met een score ({best['pct']['Hoog']}) "
            f"{'scoort' if best['counts']['Hoog'] == 1 else 'scoren'} Hoog."
        )
    if worst is not None:
        out.append(
            f"Het minst zichtbaar is {worst['measure']} ({worst['title']}): "
            f"{worst['counts']['Laag']} van de {worst['assessed']} organisaties met een score "
            f"({worst['pct']['Laag']}) {'scoort' if worst['counts']['Laag'] == 1 else 'scoren'} "
            "Laag."
        )
    if not crucial:
        out.append(
            "Over de cruciale maatregelen valt nog niets te zeggen: bij geen ervan heeft "
            "minstens de helft van de organisaties een score."
        )
    nowhere = sum(len(m["nowhere"]) for m in agg if m["crucial"] and m["classified"])
    if nowhere:
        out.append(
            f"Bij de cruciale maatregelen die zijn in te delen zijn {nowhere} aspecten bij geen "
            "enkele organisatie aangetoond (kernhiaten, zie per maatregel)."
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
    unread = sum(len(o.coverage.unread) for o in a.organisations)
    out.append(
        f"Bij {ok} van de {orgs_txt} zijn de relevante bronnen voor "
        f"{a.reference_year - 1}-{a.reference_year} ingelezen"
        + (
            f"; {plural(unread, 'document kon', 'documenten konden')} niet worden gelezen "
            "(zie Verzamelde bronnen)."
            if unread
            else "."
        )
    )
    return out
