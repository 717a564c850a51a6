"""The ``weerbaar`` command. Each command module registers its commands on ``app``;
command functions only parse options, call one library function and print the result."""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from weerbaar.errors import WeerbaarError

app = typer.Typer(
    name="weerbaar",
    help="Inventarisatie en zelfscan van de handreiking weerbaarheid en veerkracht.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

# Command modules, in the order their commands appear in --help.
COMMAND_MODULES = (
    "weerbaar.cli.catalog",
    "weerbaar.cli.catalog_import",
    "weerbaar.cli.organisations",
    "weerbaar.cli.ingest",
    "weerbaar.cli.search",
    "weerbaar.cli.review",
    "weerbaar.cli.assess",
    "weerbaar.cli.report",
    "weerbaar.cli.selfassess",
    "weerbaar.cli.web",
    "weerbaar.cli.demo",
    "weerbaar.cli.workspace",
)


def _dutch_help() -> None:
    """Dutch headings in Typer's help screens. Typer exposes these as module constants;
    the help option's own text is set on the generated option. The hooks use Typer's
    command classes as they are in the pinned minor version (pyproject.toml)."""
    from typer import rich_utils
    from typer._click.core import Command

    rich_utils.ARGUMENTS_PANEL_TITLE = "Argumenten"
    rich_utils.OPTIONS_PANEL_TITLE = "Opties"
    rich_utils.COMMANDS_PANEL_TITLE = "Commando's"
    rich_utils.ERRORS_PANEL_TITLE = "Fout"
    rich_utils.ABORTED_TEXT = "Afgebroken."
    rich_utils.DEFAULT_STRING = "[standaard: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[verplicht]"
    rich_utils.ENVVAR_STRING = "[omgevingsvariabele: {}]"
    rich_utils.RICH_HELP = "Zie [blue]'{command_path} {help_option}'[/] voor hulp."
    _dutch_usage_and_types()
    original = Command.get_help_option
    if getattr(original, "_weerbaar", False):
        return

    def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
        opt = original(self, ctx)
        if opt is not None:
            opt.help = "Toon deze hulp en stop."
        return opt

    get_help_option._weerbaar = True  # type: ignore[attr-defined]
    Command.get_help_option = get_help_option  # type: ignore[method-assign]


# Value types shown in the help, in Dutch ("<path>" -> "<pad>"); flags show none.
_NL_TYPES = {
    "path": "pad",
    "file": "bestand",
    "directory": "map",
    "str": "tekst",
    "text": "tekst",
    "int": "geheel getal",
    "integer": "geheel getal",
    "float": "getal",
    "int range": "geheel getal",
    "float range": "getal",
    "datetime": "datum",
    "uuid": "id",
}
_NL_USAGE = (
    ("Usage: ", "Gebruik: "),
    ("[OPTIONS]", "[OPTIES]"),
    ("COMMAND [ARGS]...", "COMMANDO [ARGUMENTEN]..."),
)


def _nl_type(label: str | None) -> str | None:
    if not label or not (label.startswith("<") and label.endswith(">")):
        return label
    inner = label[1:-1]
    return f"<{_NL_TYPES.get(inner, inner)}>"


def _dutch_usage_and_types() -> None:
    """The usage line ("Gebruik: weerbaar rapport [OPTIES]") and the value types in the
    help ("<pad>", "<tekst>"), through Typer's own command and parameter classes."""
    from typer import core

    for cls in (core.TyperCommand, core.TyperGroup):
        original = cls.get_usage
        if getattr(original, "_weerbaar", False):
            continue

        def get_usage(self, ctx, _original=original):  # type: ignore[no-untyped-def]
            text = _original(self, ctx)
            for en, nl in _NL_USAGE:
                text = text.replace(en, nl)
            return text

        get_usage._weerbaar = True  # type: ignore[attr-defined]
        cls.get_usage = get_usage  # type: ignore[method-assign]
    for param_cls in (core.TyperOption, core.TyperArgument):
        shown = param_cls.display_type_rich
        if getattr(shown, "_weerbaar", False):
            continue

        def display_type_rich(self, ctx, _original=shown):  # type: ignore[no-untyped-def]
            if getattr(self, "is_flag", False):
                return None  # a switch takes no value
            return _nl_type(_original(self, ctx))

        display_type_rich._weerbaar = True  # type: ignore[attr-defined]
        param_cls.display_type_rich = display_type_rich  # type: ignore[method-assign]


# Click's usage errors, in Dutch. Patterns match Click's English messages; anything that
# does not match is shown as it is.
_NL_ERRORS: tuple[tuple[str, str], ...] = (
    (r"^Missing option (.+)\.$", r"Optie \1 ontbreekt."),
    (r"^Missing argument (.+)\.$", r"Argument \1 ontbreekt."),
    (r"^Missing parameter: (.+)$", r"Parameter \1 ontbreekt."),
    (r"^Missing command\.$", "Geef een commando op (zie --help)."),
    (
        r"^No such option: (\S+) \(Possible options: (.+)\)$",
        r"Onbekende optie: \1 (bedoelt u: \2?)",
    ),
    (r"^No such option: (.+)$", r"Onbekende optie: \1"),
    (r"^No such command (.+?)\. Did you mean (.+)\?$", r"Onbekend commando \1. Bedoelt u \2?"),
    (r"^No such command (.+)\.$", r"Onbekend commando \1."),
    (r"^Option (.+) requires an argument\.$", r"Optie \1 vraagt een waarde."),
    (r"^Option (.+) requires (\d+) arguments\.$", r"Optie \1 vraagt \2 waarden."),
    (r"^Got unexpected extra arguments? \((.+)\)$", r"Onverwachte extra invoer: \1"),
    (r"^Invalid value for (.+?): (.+)$", r"Ongeldige waarde voor \1: \2"),
    (r"^Invalid value: (.+)$", r"Ongeldige invoer: \1"),
    (r"Input should be a valid integer.*$", "dit is geen geheel getal."),
    (r"Input should be a valid number.*$", "dit is geen getal."),
    (r"'(.+?)' is not a valid integer( range)?\.", r"'\1' is geen geheel getal."),
    (r"'(.+?)' is not a valid float( range)?\.", r"'\1' is geen getal."),
    (r"(File|Directory|Path) '(.+?)' does not exist\.", r"'\2' bestaat niet."),
    (r"'(.+?)' is not one of (.+)\.", r"'\1' is niet een van \2."),
)


def _nl_error(message: str) -> str:
    import re

    for pattern, replacement in _NL_ERRORS:
        message = re.sub(pattern, replacement, message)
    return message


def _dutch_errors() -> None:
    """Translate Click's usage errors (missing option, unknown option, bad value)."""
    from typer import exceptions as typer_exceptions
    from typer._click import exceptions as click_exceptions

    classes = [*vars(typer_exceptions).values(), *vars(click_exceptions).values()]
    for obj in classes:
        if not (isinstance(obj, type) and issubclass(obj, typer_exceptions.TyperException)):
            continue
        original = obj.__dict__.get("format_message")
        if original is None or getattr(original, "_weerbaar", False):
            continue

        def format_message(self, _original=original):  # type: ignore[no-untyped-def]
            return _nl_error(_original(self))

        format_message._weerbaar = True  # type: ignore[attr-defined]
        obj.format_message = format_message  # type: ignore[method-assign]


def _load_commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--versie", help="Toon de versie en stop."),
) -> None:
    if version:
        from weerbaar import __version__

        console.print(f"weerbaar {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:  # only options, no command: show the help
        console.print(ctx.get_help())
        raise typer.Exit()


def main() -> None:
    """Entry point of the console script."""
    _dutch_help()
    _dutch_errors()
    _load_commands()
    try:
        app()
    except WeerbaarError as exc:
        err_console.print(f"[bold red]Fout:[/] {exc}")
        sys.exit(2)
