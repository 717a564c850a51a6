"""Commands of the evidence search: ``scan``, ``zoek``, ``classificeer``, ``wachtrij``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from


@app.command("scan")
def scan_command(
    werkruimte: Path | None = werkruimte_option(),
    maatregel: str | None = typer.Option(
        None, "--maatregel", "-m", help="Alleen deze maatregel, bv. 2.2."
    ),
    organisatie: str | None = typer.Option(
        None, "--organisatie", "-o", help="Alleen deze organisatie (code of naam)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Zoek per maatregel en organisatie de passages die haar onderbouwen (de beoordelingsrij)."""
    from weerbaar.search import scan
    from weerbaar.settings import load_settings

    ws = workspace_from(werkruimte, create=False)
    report = scan(
        ws,
        measure=maatregel,
        organisation=organisatie,
        progress=not json_out,
        settings=load_settings(),
    )
    if json_out:
        print_json(report.__dict__)
        return
    console.print(
        f"Scan {report.scan_run_id} klaar in {report.seconds:.1f} s: {report.candidates} "
        f"kandidaat-passages voor {len(report.measures)} maatregel(en) en "
        f"{len(report.organisations)} organisatie(s), uit {report.passages} passages "
        f"(methode {report.method})."
    )
    if len(report.organisations_by_worker) != len(report.organisations):
        console.print(
            f"Deze werker ({report.worker}) deed {len(report.organisations_by_worker)} van de "
            f"{len(report.organisations)} organisaties; andere werkers deden de rest."
        )
    if report.unassigned_passages:
        console.print(
            f"[yellow]Let op:[/] {report.unassigned_passages} passages komen uit documenten "
            "zonder organisatie en zijn niet doorzocht. Geef de organisatie op met "
            "'weerbaar inlezen --organisatie' of een manifest en lees ze opnieuw in."
        )


@app.command("zoek")
def zoek_command(
    tekst: str = typer.Argument(..., help="Vrije zoektekst."),
    werkruimte: Path | None = werkruimte_option(),
    organisatie: str | None = typer.Option(
        None, "--organisatie", "-o", help="Alleen deze organisatie."
    ),
    jaar: int | None = typer.Option(None, "--jaar", help="Alleen documenten van dit jaar."),
    soort: str | None = typer.Option(
        None, "--soort", help="Alleen deze documentsoort, bv. begroting."
    ),
    aantal: int = typer.Option(20, "--aantal", "-n", help="Aantal resultaten."),
    json_out: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Zoek passages met vrije tekst (woorden, woorddelen en betekenis gecombineerd)."""
    from weerbaar.search import search

    ws = workspace_from(werkruimte, create=False)
    hits = search(ws, tekst, organisation=organisatie, year=jaar, doc_type=soort, limit=aantal)
    if json_out:
        print_json(hits)
        return
    if not hits:
        console.print("Geen passages gevonden die woorden of woorddelen met de zoektekst delen.")
        return
    names = _organisation_names(ws, {h.get("organisation_code") for h in hits})
    for rank, h in enumerate(hits, start=1):
        text = " ".join(str(h.get("text", "")).split())
        if len(text) > 300:
            text = text[:297] + "..."
        code = h.get("organisation_code") or ""
        org = names.get(code) or code or "organisatie onbekend"
        doc = h.get("title") or " ".join(
            str(v) for v in (h.get("doc_type") or "document", h.get("year") or "") if v
        )
        pages = h.get("page_start")
        if h.get("page_end") and h.get("page_end") != pages:
            pages = f"{pages}-{h.get('page_end')}"
        console.print(
            f"[bold]{rank}.[/] {escape(org)} · {escape(str(doc))} · p. {pages} "
            f"[dim](passage {h['passage_id']}, score {h['score']:.3f})[/]"
        )
        console.print(f"   {text}", highlight=False, markup=False)


def _organisation_names(ws, codes: set) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from weerbaar.errors import WeerbaarError
    from weerbaar.store.organisations import resolve_organisation

    out = {}
    for code in codes:
        if not code:
            continue
        try:
            out[code] = resolve_organisation(ws, code).name
        except WeerbaarError:
            out[code] = code
    return out


@app.command("classificeer")
def classificeer_command(
    werkruimte: Path | None = typer.Option(
        None,
        "--werkruimte",
        "-w",
        help="Gebruik de herrangschikker van deze werkruimte.",
        show_default=False,
    ),
    json_out: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Lees passages van standaardinvoer (één per regel) en toon per passage de maatregelen
    die zij aantoont, en anders de best passende (als onzeker gemarkeerd)."""
    from weerbaar.catalog import load_catalog
    from weerbaar.search import classify

    texts = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    ws = workspace_from(werkruimte, create=False) if werkruimte else None
    results = classify(texts, ws=ws)
    if json_out:
        print_json([{"text": t, **r.as_dict()} for t, r in zip(texts, results, strict=True)])
        return
    catalog = load_catalog()
    for t, r in zip(texts, results, strict=True):
        short = " ".join(t.split())
        short = short if len(short) <= 76 else short[:73] + "..."
        console.print(f"[bold]{escape(short)}[/]", highlight=False)
        if r.measures:
            console.print(
                f"  Bewijs voor: {', '.join(f'{m.id} ({m.score:.2f})' for m in r.measures)}"
                f"  [dim](kans op bewijs {r.evidence:.2f})[/]",
                highlight=False,
            )
        else:
            console.print(
                f"  Geen bewijs voor een maatregel gevonden [dim](kans op bewijs "
                f"{r.evidence:.2f})[/]; best passend, onzeker:",
                highlight=False,
            )
        for m in r.ranked[:3]:
            mark = "?" if m.uncertain else " "
            title = catalog.measure(m.id).title
            title = title if len(title) <= 52 else title[:49] + "..."
            console.print(f"   {mark} {m.id:5s} {m.score:.2f}  {escape(title)}", highlight=False)


@app.command("wachtrij")
def wachtrij_command(
    werkruimte: Path | None = werkruimte_option(),
    organisatie: str | None = typer.Option(
        None, "--organisatie", "-o", help="Alleen deze organisatie (code of naam)."
    ),
    maatregel: str | None = typer.Option(
        None, "--maatregel", "-m", help="Alleen deze maatregel, bv. 3.1."
    ),
    json_out: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon de beoordelingsrij die de scan maakte: per organisatie en maatregel de passages
    op volgorde, met score, document, pagina en tekst, en of het bewijsmodel de passage
    als bewijs beoordeelt (in JSON: evidence = kans op bewijs, accepted)."""
    from weerbaar.search import queue_listing

    ws = workspace_from(werkruimte, create=False)
    rows = queue_listing(ws, organisation=organisatie, measure=maatregel)
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print("De beoordelingsrij is leeg. Draai eerst 'weerbaar scan'.")
        return
    console.print(
        "? = het bewijsmodel beoordeelt de passage niet als bewijs voor de maatregel "
        "(de beste van de rest, boven de minimumscore)",
        highlight=False,
    )
    current = None
    for r in rows:
        key = (r["organisation"], r["measure"])
        if key != current:
            current = key
            console.print(
                f"\n[bold]{escape(r['organisation_name'])} · maatregel {r['measure']}[/]",
                highlight=False,
            )
        text = " ".join(str(r["text"]).split())
        text = text if len(text) <= 150 else text[:147] + "..."
        status = f", {r['decision']}" if r.get("decision") else ""
        mark = "?" if r.get("accepted") is False else " "
        console.print(
            f"{r['rank']:3d}. {mark} {r['score']:.2f}  passage {r['passage_id']} · document "
            f"{r['document_id']} p. {r['page']}{status}",
            highlight=False,
        )
        console.print(f"     {escape(text)}", highlight=False)
