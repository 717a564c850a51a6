"""Open data: one JSON file with everything and CSV files per table. The schema is in
``docs/open-data.md``; ``SCHEMA_VERSION`` changes when a field changes meaning."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from weerbaar.assess.model import Assessment, Score
from weerbaar.files import atomic_open, write_text_atomic
from weerbaar.report.context import Finding

SCHEMA_VERSION = "weerbaar.opendata.v3"  # v3: file_name and passage_url, no stored_path

SCORE_FIELDS = (
    "organisation", "organisation_name", "organisation_type", "region", "measure", "pillar",
    "crucial", "score", "computed_score", "combined_score", "carried_by_region", "overridden",
    "highest_stage", "aspects_found", "aspect_total", "missing_aspects", "signals", "years",
    "evidence", "reasons", "candidates", "open_candidates",
)  # fmt: skip
EVIDENCE_FIELDS = (
    "passage_id", "organisation", "measure", "stage", "stage_source", "aspects", "document_id",
    "doc_type", "year", "title", "page_start", "page_end", "char_start", "char_end",
    "file_name", "passage_url", "text",
)  # fmt: skip
MEASURE_FIELDS = (
    "measure", "title", "pillar", "crucial", "hoog", "midden", "laag", "onvoldoende_bronnen",
    "nog_niet_beoordeeld", "share_hoog", "share_midden", "share_laag", "national_class", "spread",
    "aspects_nowhere",
)  # fmt: skip
COVERAGE_FIELDS = (
    "organisation", "period_from", "period_to", "documents", "doc_types", "sufficient", "missing",
    "unread", "candidates", "candidates_reviewed",
)  # fmt: skip


def _csv(path: Path, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(fields), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: _cell(r.get(k)) for k in fields})
    return path


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return "|".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else v


def score_rows(a: Assessment) -> list[dict[str, Any]]:
    out = []
    for o in a.organisations:
        for s in o.scores:
            out.append(
                {
                    "organisation": o.organisation,
                    "organisation_name": o.name,
                    "organisation_type": o.type,
                    "region": o.region,
                    "measure": s.measure,
                    "pillar": s.pillar,
                    "crucial": s.crucial,
                    "score": s.score,
                    "computed_score": s.computed_score,
                    "combined_score": s.regional.combined_score if s.regional else s.score,
                    "carried_by_region": bool(s.regional and s.regional.carried_by_region),
                    "overridden": s.override is not None,
                    "highest_stage": s.highest_stage,
                    "aspects_found": s.aspects_found,
                    "aspect_total": s.aspect_total,
                    "missing_aspects": s.missing_aspects,
                    "signals": [g.code for g in s.signals],
                    "years": s.years,
                    "evidence": s.evidence,
                    "reasons": " ".join(s.reasons),
                    "candidates": s.candidates,
                    "open_candidates": s.open_candidates,
                }
            )
    return out


def evidence_rows(
    a: Assessment, names: dict[int, str] | None = None, app_url: str | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "passage_id": e.passage_id,
            "organisation": e.organisation_code,
            "measure": e.measure_id,
            "stage": e.stage,
            "stage_source": e.stage_source,
            "aspects": list(e.aspects),
            "document_id": e.document_id,
            "doc_type": e.doc_type,
            "year": e.year,
            "title": e.title,
            "page_start": e.page_start,
            "page_end": e.page_end,
            "char_start": e.char_start,
            "char_end": e.char_end,
            "file_name": (names or {}).get(e.document_id) or "",
            "passage_url": f"{app_url.rstrip('/')}/passages/{e.passage_id}" if app_url else "",
            "text": e.text,
        }
        for o in a.organisations
        for s in o.scores
        for e in s.evidence_items
    ]


def measure_rows(a: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "measure": m.measure,
            "title": m.title,
            "pillar": m.pillar,
            "crucial": m.crucial,
            "hoog": m.counts[Score.HOOG],
            "midden": m.counts[Score.MIDDEN],
            "laag": m.counts[Score.LAAG],
            "onvoldoende_bronnen": m.counts[Score.ONVOLDOENDE],
            "nog_niet_beoordeeld": m.counts[Score.NOG_NIET],
            "share_hoog": m.shares[Score.HOOG],
            "share_midden": m.shares[Score.MIDDEN],
            "share_laag": m.shares[Score.LAAG],
            "national_class": m.national_class,
            "spread": m.spread,
            "aspects_nowhere": m.aspects_nowhere,
        }
        for m in a.measures
    ]


def finding_rows(findings: list[Finding]) -> list[dict[str, Any]]:
    """The report's key findings, each with the passages it rests on (or its basis)."""
    return [
        {
            "text": f.text,
            "basis": f.basis,
            "sources": [
                {
                    "passage_id": q.passage_id,
                    "organisation": q.organisation,
                    "document_id": q.document_id,
                    "document": q.document,
                    "page_start": q.page_start,
                    "page_end": q.page_end,
                    "passage_url": q.href or "",
                }
                for q in f.sources
            ],
        }
        for f in findings
    ]


def coverage_rows(a: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "organisation": o.organisation,
            "period_from": o.coverage.period[0],
            "period_to": o.coverage.period[1],
            "documents": o.coverage.documents,
            "doc_types": [f"{k}:{'/'.join(map(str, v))}" for k, v in o.coverage.doc_types.items()],
            "sufficient": o.coverage.sufficient,
            "missing": o.coverage.missing,
            "unread": o.coverage.unread,
            "candidates": o.queue_total,
            "candidates_reviewed": o.queue_reviewed,
        }
        for o in a.organisations
    ]


def write_open_data(
    out_dir: Path,
    stem: str,
    a: Assessment,
    meta: dict[str, Any],
    names: dict[int, str] | None = None,
    app_url: str | None = None,
    findings: list[Finding] | None = None,
) -> list[Path]:
    """``<stem>.json`` plus ``<stem>-scores.csv``, ``-bewijs.csv``, ``-maatregelen.csv``,
    ``-bronnen.csv``. ``names``: document id -> original file name (never a path)."""
    data = {
        "schema": SCHEMA_VERSION,
        **meta,
        "catalog_version": a.catalog_version,
        "reference_year": a.reference_year,
        "scores": score_rows(a),
        "evidence": evidence_rows(a, names, app_url),
        "measures": measure_rows(a),
        "coverage": coverage_rows(a),
        "findings": finding_rows(findings or []),
        "aggregates": {
            k: v
            for k, v in a.to_dict().items()
            if k in ("regions", "pillars", "years", "dependency_flags")
        },
    }
    path = out_dir / f"{stem}.json"
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False))
    return [
        path,
        _csv(out_dir / f"{stem}-scores.csv", SCORE_FIELDS, data["scores"]),
        _csv(out_dir / f"{stem}-bewijs.csv", EVIDENCE_FIELDS, data["evidence"]),
        _csv(out_dir / f"{stem}-maatregelen.csv", MEASURE_FIELDS, data["measures"]),
        _csv(out_dir / f"{stem}-bronnen.csv", COVERAGE_FIELDS, data["coverage"]),
    ]
