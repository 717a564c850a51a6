"""``weerbaar demo``: the whole scan on the bundled fictional region."""

from __future__ import annotations

from pathlib import Path

import typer

from weerbaar.cli import app, console


@app.command("demo")
def demo_command(
    uit: Path = typer.Option(
        Path("demo-uitvoer"), "--uit", help="Map voor de demo-uitvoer (werkruimte en rapporten)."
    ),
) -> None:
    """Volledige scan op de fictieve Veiligheidsregio Voorbeeld: inlezen, zoeken,
    beoordelingen, scores en rapporten."""
    from weerbaar.demo import format_summary, run_demo

    console.print(f"[bold]Demo van weerbaar[/] in {uit} (fictieve Veiligheidsregio Voorbeeld)")
    result = run_demo(
        uit, echo=lambda line: console.print(f"  {line}", highlight=False, soft_wrap=True)
    )
    console.print(format_summary(result), highlight=False, soft_wrap=True)
    if not result.ok:
        raise typer.Exit(1)
