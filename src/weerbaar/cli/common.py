"""Options and helpers shared by the command modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from weerbaar.settings import environment
from weerbaar.store import Workspace, open_workspace


def default_workspace() -> Path:
    value = environment("WEERBAAR_WERKRUIMTE")
    return Path(value if value is not None else "werkruimte")


WORKSPACE_HELP = "Map van de werkruimte (standaard $WEERBAAR_WERKRUIMTE of ./werkruimte)."


def werkruimte_option() -> Any:
    """The ``--werkruimte`` option, the same on every command."""
    return typer.Option(None, "--werkruimte", "-w", help=WORKSPACE_HELP, show_default=False)


def workspace_from(path: Path | None, *, create: bool = True) -> Workspace:
    return open_workspace(path or default_workspace(), create=create)


def print_json(data: Any) -> None:
    """Print JSON to standard output (UTF-8, not ASCII-escaped)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
