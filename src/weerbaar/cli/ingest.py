"""``weerbaar inlezen``, ``weerbaar documenten``, ``weerbaar passages``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from
from weerbaar.nl import plural

if TYPE_CHECKING:
    from weerbaar.ingest.core import IngestReport

SOORT_HELP = (
    "Soort document: begroting, jaarstukken, kadernota, raadsvoorstel, raadsinformatiebrief, "
    "raadsbrief, besluitenlijst, beleidsplan, risicoprofiel, crisisplan, woo-besluit, nota of "
    "overig."
)


def _safe(text: str | None) -> str:
    """Escaped for rich markup, control characters visible."""
    if text is None:
        return ""
    return escape(text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text)


@app.command("inlezen")
def inlezen(
    paden: list[Path] = typer.Argument(None, help="Bestanden en mappen (mappen worden doorzocht)."),
    werkruimte: Path | None = werkruimte_option(),
    organisatie: str | None = typer.Option(
        None, "--organisatie", help="Code of naam van de organisatie."
    ),
    soort: str | None = typer.Option(None, "--soort", help=SOORT_HELP),
    jaar: int | None = typer.Option(
        None, "--jaar", help="Jaar waarop het document betrekking heeft."
    ),
    manifest: Path | None = typer.Option(
        None, "--manifest", help="CSV met kolommen bestand, organisatie, soort, jaar, titel, url."
    ),
    opnieuw: bool = typer.Option(
        False, "--opnieuw", help="Ook al ingelezen documenten opnieuw lezen."
    ),
    stil: bool = typer.Option(False, "--stil", help="Geen voortgangsbalk."),
    werkers: int = typer.Option(
        1,
        "--werkers",
        min=1,
        max=64,
        help="Aantal processen dat tegelijk bestanden leest (standaard 1). Met PostgreSQL "
        "kunnen ook meerdere 'weerbaar inlezen' tegelijk draaien, ook op andere machines.",
    ),
    verplaats_organisatie: bool = typer.Option(
        False,
        "--verplaats-organisatie",
        help="Al ingelezen documenten naar de opgegeven organisatie verplaatsen "
        "(wordt in het logboek vastgelegd; beoordelingen blijven staan).",
    ),
) -> None:
    """Lees documenten in (PDF, DOCX, HTML, TXT, Markdown) en knip ze in passages."""
    from weerbaar.ingest import ingest
    from weerbaar.settings import load_settings

    if not paden and manifest is None:
        raise typer.BadParameter("Geef een of meer bestanden of mappen, of --manifest.")
    ws = workspace_from(werkruimte)
    try:
        report = ingest(
            ws,
            paden or [],
            organisation=organisatie,
            doc_type=soort,
            year=jaar,
            manifest=manifest,
            progress=not stil,
            force=opnieuw,
            move_organisation=verplaats_organisatie,
            workers=werkers,
            settings=load_settings(),
        )
    except KeyboardInterrupt:
        console.print(
            "[bold yellow]Afgebroken.[/] Wat al was opgeslagen blijft bewaard; "
            "start dezelfde opdracht opnieuw om verder te gaan."
        )
        raise typer.Exit(130) from None
    _print_summary(report, ws.root)
    if not report.anything_read:
        console.print("[bold red]Er kon niets worden ingelezen.[/]")
        raise typer.Exit(1)


PAGES = "pagina's"


def _seconds(value: float) -> str:
    """Seconds with a decimal comma: "1,2 s"."""
    return f"{value:.1f}".replace(".", ",") + " s"


def _print_summary(report: IngestReport, root: Path) -> None:
    from weerbaar.ingest.status import label

    table = Table(title="Samenvatting inlezen")
    table.add_column("Uitkomst", no_wrap=True)
    table.add_column("Aantal", justify="right", no_wrap=True)
    table.add_column("Bestanden", overflow="fold")
    for name, group in (
        ("gelezen", report.read),
        ("overgeslagen", report.skipped),
        ("fouten", report.failed),
    ):
        names = ", ".join(_safe(i.name) for i in group[:20])
        if len(group) > 20:
            names += f" en nog {len(group) - 20}"
        table.add_row(name, str(len(group)), names)
    console.print(table)
    if report.failed:
        detail = Table(title="Niet ingelezen")
        detail.add_column("Bestand", overflow="fold", ratio=2)
        detail.add_column("Status", overflow="fold", ratio=1)
        detail.add_column("Reden", overflow="fold", ratio=3)
        for item in report.failed:
            detail.add_row(_safe(item.name), label(item.status), _safe(item.reason))
        console.print(detail)
    if report.failed_before:
        n = len(report.failed_before)
        console.print(
            f"{n} bestand was al eerder niet leesbaar en is niet gewijzigd"
            if n == 1
            else f"{n} bestanden waren al eerder niet leesbaar en zijn niet gewijzigd",
            end="",
        )
        console.print("; zie [bold]weerbaar documenten[/].")
    pages = sum(i.pages for i in report.read)
    passages = sum(i.passages for i in report.read)
    line = f"{plural(len(report.items), 'bestand', 'bestanden')} in {_seconds(report.seconds)}"
    if pages or passages:
        line += (
            f"; {plural(pages, 'pagina', PAGES)} en {plural(passages, 'passage', 'passages')} "
            f"opgeslagen in {escape(str(root))}"
        )
    console.print(line + ".")
    unknown = report.without_organisation
    if unknown:
        console.print(
            f"[bold yellow]{plural(len(unknown), 'document', 'documenten')} zonder organisatie:[/] "
            "geef --organisatie op of gebruik een manifest. "
            + "("
            + ", ".join(_safe(i.name) for i in unknown[:10])
            + (f" en nog {len(unknown) - 10}" if len(unknown) > 10 else "")
            + ")"
        )


@app.command("documenten")
def documenten(
    werkruimte: Path | None = werkruimte_option(),
    organisatie: str | None = typer.Option(None, "--organisatie", help="Alleen deze organisatie."),
    als_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon de ingelezen documenten."""
    from weerbaar.store.documents import list_documents
    from weerbaar.store.organisations import resolve_organisation

    ws = workspace_from(werkruimte, create=False)
    code = resolve_organisation(ws, organisatie).code if organisatie else None
    with ws.read() as conn:
        docs = list_documents(conn, organisation=code)
    if als_json:
        print_json(docs)
        return
    console.print(documents_table(docs, console.width))


def documents_table(docs: list[dict], width: int) -> Table:
    """The documents as a table that fits ``width`` columns: on a narrow terminal the
    reason (and then the type and page count) are left out, and titles wrap. The reason
    of every document is in ``weerbaar documenten --json``."""
    from weerbaar.ingest.status import label

    wide = width >= 140
    medium = width >= 100
    table = Table(title=f"Documenten ({len(docs)})", expand=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("organisatie", no_wrap=True)
    if medium:
        table.add_column("soort", no_wrap=True)
    table.add_column("jaar", no_wrap=True)
    table.add_column("titel", overflow="fold", min_width=20, ratio=3)
    if medium:
        table.add_column("pagina's", justify="right", no_wrap=True)
    table.add_column("passages" if medium else "pas.", justify="right", no_wrap=True)
    table.add_column("status", overflow="fold", min_width=8, ratio=1)
    if wide:
        table.add_column("reden", overflow="fold", ratio=2)
    for d in docs:
        row = [str(d["id"]), d["organisation"] or "-"]
        if medium:
            row.append(d["type"] or "")
        row += [str(d["year"] or ""), _safe((d["title"] or "")[:120])]
        if medium:
            row.append(str(d["pages"]))
        row += [str(d["passages"]), label(d["status"])]
        if wide:
            row.append(_safe(d["reason"] or ""))
        table.add_row(*row)
    return table


@app.command("passages")
def passages(
    werkruimte: Path | None = werkruimte_option(),
    document: int | None = typer.Option(
        None, "--document", help="Alleen passages van dit document (id)."
    ),
    limiet: int | None = typer.Option(None, "--limiet", help="Hoogstens zoveel passages."),
    als_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon de passages (met pagina en tekenposities in de documenttekst)."""
    from weerbaar.store.documents import list_passages

    ws = workspace_from(werkruimte, create=False)
    with ws.read() as conn:
        rows = list_passages(conn, document_id=document, limit=limiet)
    if als_json:
        print_json(rows)
        return
    table = Table(title=f"Passages ({len(rows)})")
    for col in ("id", "doc", "p.", "van-tot"):
        table.add_column(col, no_wrap=True)
    table.add_column("kop", overflow="fold", ratio=1)
    table.add_column("tekst", overflow="fold", ratio=3, min_width=20)
    for r in rows:
        text = " ".join(r["text"].split())  # line breaks of the page text as spaces
        text = text if len(text) <= 160 else text[:157] + "..."
        table.add_row(
            str(r["id"]),
            str(r["document_id"]),
            str(r["page"]) if r["page"] == r["page_end"] else f"{r['page']}-{r['page_end']}",
            f"{r['start']}-{r['end']}",
            _safe(r["heading"] or ""),
            _safe(text),
        )
    console.print(table)
