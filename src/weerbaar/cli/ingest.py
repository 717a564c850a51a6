"""``weerbaar inlezen``, ``weerbaar documenten``, ``weerbaar passages``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from

SOORT_HELP = (
    "Soort document: begroting, jaarstukken, risicoprofiel, beleidsplan, raadsbrief of overig."
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
) -> None:
    """Lees documenten in (PDF, DOCX, HTML, TXT, Markdown) en knip ze in passages."""
    from weerbaar.ingest import ingest

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
        )
    except KeyboardInterrupt:
        console.print(
            "[bold yellow]Afgebroken.[/] Wat al was opgeslagen blijft bewaard; "
            "start dezelfde opdracht opnieuw om verder te gaan."
        )
        raise typer.Exit(130) from None
    table = Table(title="Samenvatting inlezen")
    table.add_column("Uitkomst")
    table.add_column("Aantal", justify="right")
    table.add_column("Bestanden")
    for label, group in (
        ("gelezen", report.read),
        ("overgeslagen", report.skipped),
        ("fouten", report.failed),
    ):
        names = ", ".join(_safe(i.name) for i in group[:20])
        if len(group) > 20:
            names += f" en nog {len(group) - 20}"
        table.add_row(label, str(len(group)), names)
    console.print(table)
    if report.failed:
        detail = Table(title="Niet ingelezen")
        detail.add_column("Bestand")
        detail.add_column("Status")
        detail.add_column("Reden")
        for item in report.failed:
            detail.add_row(_safe(item.name), str(item.status), _safe(item.reason))
        console.print(detail)
    pages = sum(i.pages for i in report.read)
    passages = sum(i.passages for i in report.read)
    console.print(
        f"{len(report.items)} bestanden in {report.seconds:.1f} s; {pages} pagina's en "
        f"{passages} passages opgeslagen in {escape(str(ws.root))}."
    )
    if not report.anything_read:
        console.print("[bold red]Er kon niets worden ingelezen.[/]")
        raise typer.Exit(1)


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
    table = Table(title=f"Documenten ({len(docs)})")
    for col in (
        "id",
        "organisatie",
        "soort",
        "jaar",
        "titel",
        "pagina's",
        "passages",
        "status",
        "reden",
    ):
        table.add_column(col)
    for d in docs:
        table.add_row(
            str(d["id"]),
            d["organisation"] or "",
            d["type"] or "",
            str(d["year"] or ""),
            _safe((d["title"] or "")[:60]),
            str(d["pages"]),
            str(d["passages"]),
            d["status"],
            _safe(d["reason"] or ""),
        )
    console.print(table)


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
    for col in ("id", "doc", "p.", "van-tot", "kop", "tekst"):
        table.add_column(col)
    for r in rows:
        text = r["text"] if len(r["text"]) <= 160 else r["text"][:157] + "..."
        table.add_row(
            str(r["id"]),
            str(r["document_id"]),
            str(r["page"]) if r["page"] == r["page_end"] else f"{r['page']}-{r['page_end']}",
            f"{r['start']}-{r['end']}",
            _safe(r["heading"] or ""),
            _safe(text),
        )
    console.print(table)
