"""``weerbaar web`` (start the review app) and ``weerbaar gebruiker`` (accounts)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from

gebruiker_app = typer.Typer(help="Accounts voor de webapp: maken, deactiveren, tonen.")
app.add_typer(gebruiker_app, name="gebruiker")


@app.command("web")
def web(
    werkruimte: Path | None = werkruimte_option(),
    poort: int = typer.Option(8000, "--poort", help="Poort waarop de app luistert."),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Adres waarop de app luistert: 127.0.0.1 (alleen deze computer) of 0.0.0.0 "
        "(ook andere computers; zet er dan een HTTPS-proxy voor).",
    ),
    proxy: str | None = typer.Option(
        None,
        "--proxy",
        help="IP-adres(sen) van de reverse proxy, komma-gescheiden; van die adressen worden "
        "X-Forwarded-For en X-Forwarded-Proto overgenomen (zie README).",
    ),
    hostnaam: list[str] | None = typer.Option(
        None,
        "--hostnaam",
        help="Naam waaronder de app bereikbaar is (bijv. weerbaar.gemeente.nl); herhaalbaar. "
        "Verzoeken voor andere namen worden geweigerd.",
    ),
    werkers: int = typer.Option(
        1,
        "--werkers",
        min=1,
        max=32,
        help="Aantal processen (voor een team; sessies en inlogblokkade staan in de database).",
    ),
    thema_css: Path | None = typer.Option(
        None, "--thema-css", help="Eigen CSS met design tokens (NL Design System)."
    ),
    thema_klasse: str | None = typer.Option(
        None, "--thema-klasse", help="Klasse die het eigen thema aanzet (bijv. utrecht-theme)."
    ),
) -> None:
    """Start de beoordelingsapp (standaard op http://127.0.0.1:8000, alleen lokaal)."""
    from weerbaar.web.app import create_app, serve_app

    ws = workspace_from(werkruimte)
    application = create_app(ws, theme_css=thema_css, theme_class=thema_klasse)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"Beoordelingsapp op http://{shown}:{poort}/ (stoppen met Ctrl+C)")
    if host not in ("127.0.0.1", "localhost", "::1") and not proxy:
        console.print(
            "[yellow]Let op:[/yellow] de app is nu vanaf andere computers bereikbaar over "
            "onversleuteld HTTP. Zet er een HTTPS-proxy voor en geef die op met --proxy."
        )
    serve_app(application, host=host, port=poort, proxy=proxy, hostnames=hostnaam, workers=werkers)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Wachtwoord", hide_input=True)
    second = typer.prompt("Herhaal het wachtwoord", hide_input=True)
    if first != second:
        from weerbaar.web.accounts import AccountError

        raise AccountError("De wachtwoorden zijn niet gelijk.")
    return str(first)


@gebruiker_app.command("maak")
def maak(
    naam: str = typer.Argument(..., help="Gebruikersnaam (zonder spaties)."),
    rol: str = typer.Option(..., "--rol", help="beoordelaar, beheerder of lezer."),
    organisatie: list[str] | None = typer.Option(
        None, "--organisatie", help="Beperk tot deze organisatie (code of naam); herhaalbaar."
    ),
    wachtwoord_stdin: bool = typer.Option(
        False, "--wachtwoord-stdin", help="Lees het wachtwoord van standaardinvoer."
    ),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Maak een account voor de webapp."""
    from weerbaar.web.accounts import create_user

    ws = workspace_from(werkruimte)
    user = create_user(
        ws, naam, role=rol, password=_read_password(wachtwoord_stdin), organisations=organisatie
    )
    scope = ", ".join(user.organisations) if user.organisations else "alle organisaties"
    console.print(f"Gebruiker {user.name} gemaakt met rol {user.role} ({scope}).")


@gebruiker_app.command("deactiveer")
def deactiveer(
    naam: str = typer.Argument(..., help="Gebruikersnaam."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Zet een account uit; open sessies vervallen direct."""
    from weerbaar.web.accounts import deactivate_user

    revoked = deactivate_user(workspace_from(werkruimte), naam)
    console.print(f"Gebruiker {naam} is gedeactiveerd; {revoked} sessie(s) beëindigd.")


@gebruiker_app.command("wachtwoord")
def wachtwoord(
    naam: str = typer.Argument(..., help="Gebruikersnaam."),
    wachtwoord_stdin: bool = typer.Option(
        False, "--wachtwoord-stdin", help="Lees het wachtwoord van standaardinvoer."
    ),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Stel een nieuw wachtwoord in; open sessies vervallen."""
    from weerbaar.web.accounts import set_password

    set_password(workspace_from(werkruimte), naam, _read_password(wachtwoord_stdin))
    console.print(f"Wachtwoord van {naam} is gewijzigd.")


@gebruiker_app.command("lijst")
def lijst(
    werkruimte: Path | None = werkruimte_option(),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon de accounts."""
    from weerbaar.web.accounts import list_users

    users = list_users(workspace_from(werkruimte))
    if as_json:
        print_json(users)
        return
    for u in users:
        state = "actief" if u["actief"] else "gedeactiveerd"
        orgs = ", ".join(u["organisaties"])  # type: ignore[arg-type]
        console.print(f"{u['naam']}: {u['rol']}, {state}, organisaties: {orgs}")
