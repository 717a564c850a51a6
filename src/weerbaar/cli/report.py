"""``weerbaar rapport``: write reports (HTML, PDF, XLSX, Markdown, JSON/CSV)."""

from __future__ import annotations

from pathlib import Path

import typer

from weerbaar.cli import app, console
from weerbaar.cli.common import werkruimte_option, workspace_from


@app.command("rapport")
def rapport(
    uit: Path = typer.Option(..., "--uit", help="Map waarin de rapporten komen."),
    werkruimte: Path | None = werkruimte_option(),
    organisatie: str | None = typer.Option(
        None, "--organisatie", "-o", help="Rapport voor één organisatie (code of naam)."
    ),
    regio: str | None = typer.Option(
        None, "--regio", help="Rapport voor een veiligheidsregio met haar gemeenten (bijv. VR06)."
    ),
    landelijk: bool = typer.Option(False, "--landelijk", help="Landelijk rapport (standaard)."),
    formaat: str = typer.Option(
        "html,pdf,xlsx,md,json", "--formaat", help="Komma-gescheiden: html,pdf,xlsx,md,json."
    ),
    app_adres: str | None = typer.Option(
        None,
        "--app-adres",
        help=(
            "Openbaar adres van de webapp (bijv. https://weerbaar.example.nl): citaten linken "
            "dan naar de passage in de app. Zonder dit adres noemen citaten document, pagina "
            "en passagenummer, zonder link."
        ),
    ),
) -> None:
    """Schrijf rapporten: per organisatie, per regio of landelijk."""
    from weerbaar.report import ReportError, write_reports

    if sum(bool(x) for x in (organisatie, regio, landelijk)) > 1:
        raise ReportError("Kies één van --organisatie, --regio of --landelijk.")
    scope = (
        f"organisatie:{organisatie}" if organisatie else f"regio:{regio}" if regio else "landelijk"
    )
    ws = workspace_from(werkruimte, create=False)
    try:
        files = write_reports(ws, uit, scope=scope, formats=formaat, app_url=app_adres)
    finally:
        ws.close()
    console.print(f"{len(files)} bestand(en) geschreven in {uit.resolve()}:")
    for f in files:
        console.print(f"  {f.name}")
