"""Reports people read: HTML (self-contained), PDF (WeasyPrint), XLSX, Markdown and open
data (JSON + CSV), per organisation, per region or national, plus a one-page council
member's page per municipality. Read-only on the workspace.

``write_reports(ws, out_dir, scope=..., formats=...)`` assesses the workspace, builds the
content once (:mod:`weerbaar.report.build`) and writes each requested format. The same
database state gives the same files apart from the timestamp (pass ``generated_at`` to
fix it)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from weerbaar import __version__
from weerbaar.assess.model import Assessment, OrgResult
from weerbaar.report.build import (
    PLAIN_SCORE,
    ReportError,
    Scope,
    _score_view,
    build_context,
    pct,
    region_title,
    score_class,
    score_letter,
)
from weerbaar.store import Workspace

__all__ = ["FORMATS", "ReportError", "Scope", "write_reports"]

FORMATS = ("html", "pdf", "xlsx", "md", "json")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("weerbaar.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(cls=score_class, letter=score_letter, plain=lambda s: PLAIN_SCORE.get(s, s))
    return env


def _css() -> str:
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def _charts(c: dict[str, Any], a: Assessment) -> dict[str, str]:
    from weerbaar.report import charts

    rows = [o["name"] for o in c["orgs"]]
    out = {
        "heatmap": charts.heatmap(
            rows,
            c["columns"],
            c["matrix"],
            "Score per organisatie en maatregel",
            row_groups=c["row_groups"],
        ),
        "measures": charts.stacked_scores(
            [m["measure"] for m in c["measures"]],
            [m["counts"] for m in c["measures"]],
            "Scores per maatregel",
        ),
        "pillars": charts.stacked_scores(
            [textwrap.fill(f"{p['pillar']}. {p['name']}", 32) for p in c["pillars"]],
            [p["counts"] for p in c["pillars"]],
            "Scores per pijler",
            "Aantal scores (maatregelen × organisaties)",
        ),
        "years": charts.stages_per_year(
            [y["year"] for y in c["years"]],
            [y["stages"] for y in c["years"]],
            "Gevalideerde passages per jaar en fase",
        )
        if c["years"]
        else "",
    }
    return out


def render_html(c: dict[str, Any], a: Assessment) -> str:
    """The full report as one self-contained HTML page."""
    return (
        _env()
        .get_template("rapport.html.j2")
        .render(c=c, css=_css(), charts=_charts(c, a), version=__version__)
    )


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an abbreviation (BCM, NCV)."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() else text[:1].lower() + text[1:]


def council_context(org: OrgResult, a: Assessment, c: dict[str, Any]) -> dict[str, Any]:
    """The plain-language one-pager "Wat heeft mijn gemeente gedaan?"."""
    out_dir, ws_root = c["_out_dir"], c["_ws_root"]
    views = [_score_view(s, org, out_dir, ws_root) for s in org.scores]
    counts = {k: sum(1 for v in views if v["score"] == k) for k in PLAIN_SCORE}
    gaps = []
    for v in views:
        if v["crucial"] and v["score"] in ("Laag", "Midden") and v["missing"]:
            gaps.append(
                f"{v['measure']} {v['title']}: geen stukken over {v['missing'][0].lower()}."
            )
    region = a.org(org.region) if org.region else None
    region_name = region_title(region.name) if region else ""
    carried = [v for v in views if v["regional"] and v["regional"].carried_by_region]
    if region is None:
        region_text = (
            f"De veiligheidsregio ({org.region or 'onbekend'}) is in dit overzicht niet beoordeeld."
        )
    elif carried:
        region_text = (
            f"{region_name} pakt een deel samen met de gemeenten op. Voor "
            f"{len(carried)} {'maatregel' if len(carried) == 1 else 'maatregelen'} telt wat "
            f"de regio doet ook voor {org.name}: "
            + ", ".join(f"{v['measure']} {v['title']}" for v in carried[:6])
            + "."
        )
    else:
        region_text = (
            f"Voor geen van de maatregelen telt wat {region_name} doet mee voor {org.name}."
        )
    weakest = [v for v in views if v["crucial"] and v["score"] in ("Laag", "Onvoldoende bronnen")]
    questions = [
        f"Hoe is {_lower_first(v['title'])} ({v['measure']}) geregeld, ook als het niet in "
        "openbare stukken staat?"
        for v in weakest[:2]
    ] or ["Wanneer wordt de voorbereiding op langdurige uitval geoefend en geëvalueerd?"]
    return {
        "name": org.name,
        "generated_at": c["generated_at"],
        "reference_year": a.reference_year,
        "total": len(views),
        "sources": "; ".join(
            f"{k} {'/'.join(map(str, y))}" if y else k for k, y in org.coverage.doc_types.items()
        ),
        "missing": "; ".join(org.coverage.missing),
        "unread": org.coverage.unread,
        "documents": org.coverage.documents,
        "queue_total": org.queue_total,
        "queue_reviewed": org.queue_reviewed,
        "queue_pct": pct(org.queue_reviewed, org.queue_total),
        "counts": counts,
        "crucial": [v for v in views if v["crucial"]],
        "gaps": gaps[:4],
        "region_text": region_text,
        "questions": questions,
    }


def render_council_page(org: OrgResult, a: Assessment, c: dict[str, Any]) -> str:
    return _env().get_template("raadslid.html.j2").render(p=council_context(org, a, c), css=_css())


def write_pdf(html: str, path: Path, base: Path) -> Path:
    """Render HTML to PDF with WeasyPrint (no network: only inline content is used)."""
    import logging

    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only inline data: URLs (the heat map's raster inside its SVG); nothing external.
    fetcher = URLFetcher(allowed_protocols={"data"})

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    tmp = path.with_suffix(".pdf.part")
    HTML(string=html, base_url=str(base), url_fetcher=fetcher).write_pdf(tmp)
    tmp.replace(path)
    return path


def _write_text(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def parse_formats(formats: str | Iterable[str]) -> list[str]:
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out = []
    for f in items:
        f = f.strip().lower()
        if not f:
            continue
        if f not in FORMATS:
            raise ReportError(f"Onbekend formaat {f!r}: kies uit {', '.join(FORMATS)}.")
        if f not in out:
            out.append(f)
    return out or list(FORMATS)


STATUS_LABELS = {
    "truncated": "deels gelezen",
    "no_text_layer": "geen tekstlaag",
    "encrypted": "beveiligd",
    "corrupt": "beschadigd",
    "empty": "leeg",
    "unsupported_type": "bestandstype niet ondersteund",
    "too_large": "te groot",
    "timeout": "tijdslimiet",
    "missing": "ontbreekt",
    "link_not_followed": "koppeling niet gevolgd",
    "outside_folder": "buiten de map",
    "interrupted": "onderbroken",
}


def unread_documents(ws: Workspace | None, assessment: Assessment, *, national: bool) -> list[dict]:
    """Documents of the organisations in the report that could not be read (fully), with
    the Dutch reason: a source that was collected but not read is not evidence either.
    Empty when the report is made from an assessment alone (``ws`` is None)."""
    from weerbaar.store.documents import list_documents

    if ws is None:
        return []
    names = {o.organisation: o.name for o in assessment.organisations}
    with ws.read() as conn:
        docs = list_documents(conn)
    out = []
    for d in docs:
        if d["status"] in ("ok", "duplicate", "unchanged"):
            continue
        if d["organisation"] not in names and not (national and d["organisation"] is None):
            continue
        file_names = [Path(n).name for n in d.get("names") or []]
        out.append(
            {
                "file": ", ".join(dict.fromkeys(file_names))
                or d.get("title")
                or f"document {d['id']}",
                "organisation": names.get(d["organisation"], d["organisation"] or "onbekend"),
                "status": STATUS_LABELS.get(d["status"], d["status"]),
                "reason": d["reason"] or "",
            }
        )
    return sorted(out, key=lambda r: (r["organisation"], r["file"]))


def document_names(ws: Workspace | None) -> dict[int, str]:
    """Document id -> its original file name(s), for people (not the storage path)."""
    if ws is None:
        return {}
    from weerbaar.store.documents import list_documents

    with ws.read() as conn:
        docs = list_documents(conn)
    return {
        d["id"]: ", ".join(dict.fromkeys(Path(n).name for n in d.get("names") or []))
        for d in docs
        if d.get("names")
    }


def write_reports(
    ws: Workspace | None,
    out_dir: str | Path,
    *,
    scope: str | Scope = "landelijk",
    formats: str | Iterable[str] = FORMATS,
    generated_at: str | None = None,
    assessment: Assessment | None = None,
    catalog: Any = None,
) -> list[Path]:
    """Write the report for ``scope`` (``landelijk``, ``organisatie:CODE``, ``regio:CODE``
    or a :class:`Scope`) in the given formats to ``out_dir``; returns the files written.
    ``assessment`` may be passed when already computed (it must cover the scope)."""
    from weerbaar.assess import assess
    from weerbaar.report.markdown import render_markdown
    from weerbaar.report.opendata import write_open_data
    from weerbaar.report.xlsx import write_xlsx

    sc = Scope.parse(scope)
    fmts = parse_formats(formats)
    out = Path(out_dir).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    stamp = generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if assessment is None:
        if sc.kind == "organisatie":
            assessment = assess(ws, sc.code, catalog=catalog)
        elif sc.kind == "regio":
            assessment = assess(ws, region=sc.code, catalog=catalog)
        else:
            assessment = assess(ws, catalog=catalog)
    if sc.kind == "organisatie" and sc.code and assessment.org(sc.code) is None:
        # a name was given: use the resolved code of the assessed organisation
        munis = [o for o in assessment.organisations if o.type != "veiligheidsregio"]
        picked = munis[0] if len(munis) == 1 else assessment.organisations[-1]
        sc = Scope("organisatie", picked.organisation)
    ws_root = Path(getattr(ws, "root", out)).resolve()
    c = build_context(assessment, sc, out_dir=out, ws_root=ws_root, generated_at=stamp)
    c["_out_dir"], c["_ws_root"] = out, ws_root
    c["unread"] = unread_documents(ws, assessment, national=sc.kind == "landelijk")
    c["document_names"] = document_names(ws)
    stem = f"rapport-{sc.slug}"
    written: list[Path] = []
    html = None
    if "html" in fmts or "pdf" in fmts:
        html = render_html(c, assessment)
    if "html" in fmts:
        written.append(_write_text(out / f"{stem}.html", html or ""))
    if "pdf" in fmts:
        written.append(write_pdf(html or "", out / f"{stem}.pdf", out))
    if "xlsx" in fmts:
        written.append(write_xlsx(out / f"{stem}.xlsx", assessment, c))
    if "md" in fmts:
        written.append(_write_text(out / f"{stem}.md", render_markdown(c, __version__)))
    if "json" in fmts:
        meta = {"scope": sc.slug, "generated_at": stamp, "weerbaar_version": __version__}
        written += write_open_data(out, stem, assessment, meta)
    # Council member's pages for the municipalities of an organisation or region report.
    if sc.kind in ("organisatie", "regio") and ({"html", "pdf"} & set(fmts)):
        for org in assessment.organisations:
            if org.type != "gemeente" or (sc.kind == "organisatie" and org.organisation != sc.code):
                continue
            page = render_council_page(org, assessment, c)
            name = f"raadslid-{org.organisation}"
            if "html" in fmts:
                written.append(_write_text(out / f"{name}.html", page))
            if "pdf" in fmts:
                written.append(write_pdf(page, out / f"{name}.pdf", out))
    return written
