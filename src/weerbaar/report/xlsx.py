"""The Excel workbook: one sheet per view, each with an autofilter, and the evidence table
with its sources. Text from documents never becomes a formula: every string is written
as a string cell (and marked with a quote prefix when it starts with = + - @)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from weerbaar.assess.model import SIGNAL_LABELS, Assessment, OrgResult, Score
from weerbaar.files import atomic_path
from weerbaar.report.charts import SCORE_COLORS, TEXT_ON
from weerbaar.report.context import ReportContext

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_FILLS = {k: PatternFill("solid", fgColor=v.lstrip("#")) for k, v in SCORE_COLORS.items()}
_WHITE = Font(color="FFFFFF")
_BOLD = Font(bold=True)


def _cell(ws: Any, value: Any, *, colour_scores: bool = False, bold: bool = False) -> Any:
    """A plain value, or a styled write-only cell when needed (formula-like text, score
    colours, header). Text starting with = + - @ is forced to a string cell."""
    formula_like = isinstance(value, str) and value.startswith(FORMULA_START)
    coloured = colour_scores and isinstance(value, str) and value in _FILLS
    if not (formula_like or coloured or bold):
        return value
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # never a formula
    if formula_like:
        c.quotePrefix = True
    if coloured:
        c.fill = _FILLS[value]
        if TEXT_ON.get(value) == "#ffffff":
            c.font = _WHITE
    if bold:
        c.font = _BOLD
    return c


def _sheet(
    wb: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    colour_from: int | None = None,
) -> Any:
    """A sheet with a bold header row, frozen panes and an autofilter over all rows."""
    data = [list(r) for r in rows]
    ws = wb.create_sheet(title)
    for j, h in enumerate(header, 1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(len(h) + 2, 8), 60)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{len(data) + 1}"
    ws.append([_cell(ws, h, bold=True) for h in header])
    for row in data:
        ws.append(
            [
                _cell(ws, v, colour_scores=colour_from is not None and j >= colour_from)
                for j, v in enumerate(row)
            ]
        )
    return ws


def _sheet_findings(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    _sheet(
        wb,
        "Bevindingen",
        ["Nr.", "Bevinding", "Bronnen (organisatie, document, pagina, passage)", "Grondslag"],
        (
            [i, f.text, "; ".join(c.short for c in f.sources), f.basis]
            for i, f in enumerate(ctx.findings, 1)
        ),
    )


def _sheet_overview(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    cols = list(a.measure_info)
    _sheet(
        wb,
        "Overzicht",
        ["Organisatie", "Naam", "Type", "Regio", *cols],
        (
            [o.organisation, o.name, o.type, o.region or "", *[s.score for s in o.scores]]
            for o in orgs
        ),
        colour_from=4,
    )


def _sheet_scores(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    _sheet(
        wb,
        "Scores",
        [
            "Organisatie",
            "Naam",
            "Regio",
            "Maatregel",
            "Titel",
            "Pijler",
            "Cruciaal",
            "Score",
            "Berekende score",
            "Met regio",
            "Redenen",
            "Kernhiaten",
            "Knelpunten",
            "Jaren",
            "Passages",
            "Afhankelijkheid",
            "Passages uit de scan",
            "Nog te controleren",
        ],
        (
            [
                o.organisation,
                o.name,
                o.region or "",
                s.measure,
                s.measure_title,
                s.pillar,
                "ja" if s.crucial else "nee",
                s.score,
                s.computed_score,
                s.regional.combined_score if s.regional else "",
                " ".join(s.reasons),
                "; ".join(s.missing_aspect_labels),
                "; ".join(g.label for g in s.signals),
                ", ".join(map(str, s.years)),
                ", ".join(map(str, s.evidence)),
                " ".join(s.dependency_flags),
                s.candidates,
                s.open_candidates,
            ]
            for o in orgs
            for s in o.scores
        ),
    )


def _sheet_measures(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    _sheet(
        wb,
        "Maatregelen",
        [
            "Maatregel",
            "Titel",
            "Pijler",
            "Cruciaal",
            Score.HOOG,
            Score.MIDDEN,
            Score.LAAG,
            Score.ONVOLDOENDE,
            Score.NOG_NIET,
            "Aandeel Hoog",
            "Aandeel Midden",
            "Aandeel Laag",
            ctx.class_label,
            "Spreiding",
            "Kernhiaten (nergens aangetoond)",
            "Knelpunten",
        ],
        (
            [
                m.measure,
                m.title,
                m.pillar,
                "ja" if m.crucial else "nee",
                m.counts[Score.HOOG],
                m.counts[Score.MIDDEN],
                m.counts[Score.LAAG],
                m.counts[Score.ONVOLDOENDE],
                m.counts[Score.NOG_NIET],
                m.shares[Score.HOOG],
                m.shares[Score.MIDDEN],
                m.shares[Score.LAAG],
                m.national_class,
                m.spread,
                "; ".join(m.aspects_nowhere_labels),
                "; ".join(f"{SIGNAL_LABELS.get(k, k)} ({v})" for k, v in m.signal_counts.items()),
            ]
            for m in a.measures
        ),
    )


def _sheet_pillars(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    _sheet(
        wb,
        "Pijlers",
        ["Pijler", "Naam", Score.HOOG, Score.MIDDEN, Score.LAAG, Score.ONVOLDOENDE, Score.NOG_NIET],
        (
            [
                p.pillar,
                p.name,
                p.counts[Score.HOOG],
                p.counts[Score.MIDDEN],
                p.counts[Score.LAAG],
                p.counts[Score.ONVOLDOENDE],
                p.counts[Score.NOG_NIET],
            ]
            for p in a.pillars
        ),
    )


def _sheet_regions(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    cols = list(a.measure_info)
    _sheet(
        wb,
        "Regio's",
        [
            "Regio",
            "Naam",
            "Maatregel",
            "Score regio",
            "Gemeenten Hoog",
            "Gemeenten Midden",
            "Gemeenten Laag",
            "Gemeenten onvoldoende bronnen",
            "Gemeenten nog niet beoordeeld",
            "Gedragen door regio",
        ],
        (
            [
                r.region,
                r.name,
                m,
                r.region_scores.get(m, ""),
                r.counts[m][Score.HOOG],
                r.counts[m][Score.MIDDEN],
                r.counts[m][Score.LAAG],
                r.counts[m][Score.ONVOLDOENDE],
                r.counts[m][Score.NOG_NIET],
                r.carried[m],
            ]
            for r in a.regions
            for m in cols
        ),
    )


def _sheet_years(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    _sheet(
        wb,
        "Jaren",
        [
            "Jaar",
            "Passages",
            "Organisaties",
            "Maatregelen",
            "Voornemen",
            "Plan",
            "Uitvoering",
            "Evaluatie",
        ],
        (
            [
                y.year,
                y.passages,
                y.organisations,
                y.measures,
                y.stages["voornemen"],
                y.stages["plan"],
                y.stages["uitvoering"],
                y.stages["evaluatie"],
            ]
            for y in a.years
        ),
    )


def _sheet_gaps(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    _sheet(
        wb,
        "Kernhiaten",
        [
            "Organisatie",
            "Naam",
            "Maatregel",
            "Aantal niet aangetoond",
            "Aspecten",
            "Niet aangetoond",
        ],
        (
            [
                o.organisation,
                o.name,
                s.measure,
                len(s.missing_aspects),
                s.aspect_total,
                "; ".join(s.missing_aspect_labels),
            ]
            for o in orgs
            for s in o.scores
            # kernhiaten only where there is a Hoog/Midden/Laag judgement
            if s.missing_aspects and s.score in (Score.HOOG, Score.MIDDEN, Score.LAAG)
        ),
    )


def _sheet_signals(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    _sheet(
        wb,
        "Knelpunten",
        ["Organisatie", "Naam", "Maatregel", "Knelpunt", "Toelichting", "Passages"],
        (
            [
                o.organisation,
                o.name,
                s.measure,
                g.label,
                g.detail,
                ", ".join(map(str, g.passage_ids)),
            ]
            for o in orgs
            for s in o.scores
            for g in s.signals
        ),
    )


def _sheet_sources(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    _sheet(
        wb,
        "Bronnen",
        [
            "Organisatie",
            "Naam",
            "Type",
            "Regio",
            "Ingelezen documenten",
            "Voldoende",
            "Ontbreekt",
            "Niet te lezen",
            "Passages uit de scan",
            "Gecontroleerd",
        ],
        (
            [
                r.organisation,
                r.name,
                r.type,
                r.region,
                r.doc_types,
                "ja" if r.sufficient else "nee",
                r.missing,
                r.unread,
                r.queue_total,
                r.queue_reviewed,
            ]
            for r in ctx.coverage
        ),
    )


def _sheet_evidence(wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]) -> None:
    names = {o.organisation: o.name for o in a.organisations}
    file_names = ctx.document_names
    _sheet(
        wb,
        "Bewijs",
        [
            "Passage",
            "Organisatie",
            "Naam",
            "Maatregel",
            "Fase",
            "Fase door",
            "Aspecten",
            "Document",
            "Titel",
            "Jaar",
            "Pagina van",
            "Pagina tot",
            "Bestand",
            "Tekst",
        ],
        (
            [
                e.passage_id,
                e.organisation_code,
                names.get(e.organisation_code, ""),
                e.measure_id,
                e.stage,
                e.stage_source,
                ", ".join(e.aspects),
                e.document_id,
                e.title or "",
                e.year,
                e.page_start,
                e.page_end,
                file_names.get(e.document_id) or e.title or "",
                " ".join(e.text.split()),
            ]
            for o in orgs
            for s in o.scores
            for e in s.evidence_items
        ),
    )


def _sheet_dependencies(
    wb: Workbook, a: Assessment, ctx: ReportContext, orgs: list[OrgResult]
) -> None:
    _sheet(
        wb,
        "Afhankelijkheden",
        ["Organisatie", "Maatregel", "Score", "Hangt af van", "Score daarvan", "Melding"],
        (
            [f.organisation, f.measure, f.score, f.depends_on, f.depends_score, f.message]
            for f in a.dependency_flags
        ),
    )


SHEETS = (
    _sheet_findings,
    _sheet_overview,
    _sheet_scores,
    _sheet_measures,
    _sheet_pillars,
    _sheet_regions,
    _sheet_years,
    _sheet_gaps,
    _sheet_signals,
    _sheet_sources,
    _sheet_evidence,
    _sheet_dependencies,
)


def write_xlsx(path: Path, a: Assessment, ctx: ReportContext) -> Path:
    """Write the workbook for the organisations in ``a``: one sheet per view."""
    wb = Workbook(write_only=True)
    orgs = sorted(a.organisations, key=lambda o: (o.region or o.organisation, o.name))
    for sheet in SHEETS:
        sheet(wb, a, ctx, orgs)
    wb.properties.creator = "weerbaar"
    wb.properties.title = ctx.title
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
