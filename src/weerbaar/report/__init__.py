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
from weerbaar.assess.model import Assessment
from weerbaar.files import atomic_path, write_text_atomic
from weerbaar.ingest.status import label as status_label
from weerbaar.report.build import (
    PLAIN_SCORE,
    ReportError,
    Scope,
    build_context,
    score_class,
    score_letter,
)
from weerbaar.report.context import ReportContext
from weerbaar.report.council import CouncilPage, council_page
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


@lru_cache(maxsize=1)
def _md_env() -> Environment:
    from weerbaar.report.markdown import md_escape

    env = Environment(
        loader=PackageLoader("weerbaar.report", "templates"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env


def _css() -> str:
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def _short(title: str, width: int = 44) -> str:
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def _charts(c: ReportContext) -> dict[str, str]:
    from weerbaar.report import charts

    labels = [f"{m} {_short(t)}" for m, t in zip(c.columns, c.column_titles, strict=True)]
    return {
        "heatmap": charts.heatmap(
            [o.name for o in c.orgs],
            labels,
            c.matrix,
            "Score per organisatie en maatregel",
            row_groups=c.row_groups,
        ),
        "measures": charts.stacked_scores(
            [f"{m.measure} {_short(m.title)}" for m in c.measures],
            [m.counts for m in c.measures],
            "Scores per maatregel",
        ),
        "pillars": charts.stacked_scores(
            [textwrap.fill(f"{p.pillar}. {p.name}", 32) for p in c.pillars],
            [p.counts for p in c.pillars],
            "Scores per pijler",
            "Aantal scores (maatregelen × organisaties)",
        ),
        "years": charts.stages_per_year(
            [y.year for y in c.years],
            [y.stages for y in c.years],
            "Gevalideerde passages per jaar en fase",
        )
        if c.years
        else "",
    }


def render_html(c: ReportContext) -> str:
    """The full report as one self-contained HTML page."""
    return (
        _env()
        .get_template("rapport.html.j2")
        .render(c=c, css=_css(), charts=_charts(c), version=__version__)
    )


def render_markdown(c: ReportContext) -> str:
    """The report as Markdown (same content as the HTML, without charts)."""
    return _md_env().get_template("rapport.md.j2").render(c=c, version=__version__)


def render_council_page(p: CouncilPage) -> str:
    return _env().get_template("raadslid.html.j2").render(p=p, css=_css())


def write_pdf(html: str, path: Path) -> Path:
    """Render HTML to PDF with WeasyPrint (no network: only inline content is used)."""
    import logging

    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only inline data: URLs (the heat map's raster inside its SVG); nothing external.
    # No base URL: a relative link would otherwise become a file:// link to this machine.
    fetcher = URLFetcher(allowed_protocols={"data"})

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with atomic_path(path) as tmp:
        HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(tmp)
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
                "status": status_label(d["status"]),
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
    app_url: str | None = None,
) -> list[Path]:
    """Write the report for ``scope`` (``landelijk``, ``organisatie:CODE``, ``regio:CODE``
    or a :class:`Scope`) in the given formats to ``out_dir``; returns the files written.
    ``assessment`` may be passed when already computed (it must cover the scope).

    Citations name organisation, document, page and passage id and quote the passage; with
    ``app_url`` (the public address of the review app, e.g. ``https://weerbaar.example.nl``)
    they also link to the passage there. No output holds a path of this machine."""
    from weerbaar.assess import assess
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
    sc = _resolved(sc, assessment)
    if app_url is not None and not app_url.lower().startswith(("https://", "http://")):
        raise ReportError(
            f"Ongeldig adres van de webapp {app_url!r}: gebruik een http(s)-adres, "
            "bijvoorbeeld https://weerbaar.example.nl."
        )
    c = build_context(
        assessment,
        sc,
        generated_at=stamp,
        app_url=app_url,
        unread=unread_documents(ws, assessment, national=sc.kind == "landelijk"),
        document_names=document_names(ws),
    )
    stem = f"rapport-{sc.slug}"
    written: list[Path] = []
    html = None
    if "html" in fmts or "pdf" in fmts:
        html = render_html(c)
    if "html" in fmts:
        written.append(write_text_atomic(out / f"{stem}.html", html or ""))
    if "pdf" in fmts:
        written.append(write_pdf(html or "", out / f"{stem}.pdf"))
    if "xlsx" in fmts:
        written.append(write_xlsx(out / f"{stem}.xlsx", assessment, c))
    if "md" in fmts:
        written.append(write_text_atomic(out / f"{stem}.md", render_markdown(c)))
    if "json" in fmts:
        meta = {"scope": sc.slug, "generated_at": stamp, "weerbaar_version": __version__}
        written += write_open_data(
            out, stem, assessment, meta, c.document_names, app_url, findings=c.findings
        )
    return written + _write_council_pages(out, sc, assessment, fmts, stamp, app_url)


def _resolved(sc: Scope, assessment: Assessment) -> Scope:
    """An organisation given by name: the code of the assessed organisation."""
    if sc.kind != "organisatie" or not sc.code or assessment.org(sc.code) is not None:
        return sc
    munis = [o for o in assessment.organisations if o.type != "veiligheidsregio"]
    picked = munis[0] if len(munis) == 1 else assessment.organisations[-1]
    return Scope("organisatie", picked.organisation)


def _write_council_pages(
    out: Path,
    sc: Scope,
    assessment: Assessment,
    fmts: list[str],
    stamp: str,
    app_url: str | None,
) -> list[Path]:
    """Council member's pages for the municipalities of an organisation or region report."""
    written: list[Path] = []
    if sc.kind not in ("organisatie", "regio") or not ({"html", "pdf"} & set(fmts)):
        return written
    for org in assessment.organisations:
        if org.type != "gemeente" or (sc.kind == "organisatie" and org.organisation != sc.code):
            continue
        page = render_council_page(
            council_page(org, assessment, generated_at=stamp, app_url=app_url)
        )
        name = f"raadslid-{org.organisation}"
        if "html" in fmts:
            written.append(write_text_atomic(out / f"{name}.html", page))
        if "pdf" in fmts:
            written.append(write_pdf(page, out / f"{name}.pdf"))
    return written
