"""Every command has Dutch help and answers --help."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from weerbaar.cli import _dutch_help, _load_commands, app


def _command_paths() -> list[list[str]]:
    _load_commands()
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(cmd, prefix: list[str]) -> None:  # type: ignore[no-untyped-def]
        for name, sub in getattr(cmd, "commands", {}).items():
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


def test_cli_every_command_has_dutch_help() -> None:
    _dutch_help()
    runner = CliRunner()
    paths = _command_paths()
    top = {p[0] for p in paths}
    assert {
        "inlezen",
        "scan",
        "catalogus",
        "organisaties",
        "beoordeling",
        "rapport",
        "web",
        "zelfscan",
        "demo",
    } <= top
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (path, result.output)
        out = result.output
        assert "Toon deze hulp en stop." in out, path
        assert "Show this message" not in out and "Options" not in out, path
        # a description of the command, not in English
        description = " ".join(out.split("╭")[0].split()[3:]).lower()
        assert len(description) > 10, (path, out)
        assert not any(w in f" {description} " for w in (" the ", " and ", " show ", " with ")), (
            path
        )


def test_cli_versie_alone_and_no_arguments_shows_help() -> None:
    from weerbaar import __version__

    _load_commands()
    runner = CliRunner()
    res = runner.invoke(app, ["--versie"])
    assert res.exit_code == 0, res.output
    assert res.output.strip() == f"weerbaar {__version__}"
    res = runner.invoke(app, [], env={"COLUMNS": "120"})
    assert "Gebruik: " in res.output and "inlezen" in res.output and "Usage" not in res.output
    assert "Missing command" not in res.output


def test_cli_usage_errors_are_dutch() -> None:
    import subprocess
    import sys

    cases = {
        ("zelfscan", "toon"): "Optie '--organisatie' / '-o' ontbreekt.",
        ("catalogus", "--pijler", "abc"): "dit is geen geheel getal",
        ("bestaatniet",): "Onbekend commando 'bestaatniet'.",
        ("rapport", "--uit", "x", "--nope"): "Onbekende optie: --nope",
    }
    for args, expected in cases.items():
        res = subprocess.run(
            [sys.executable, "-m", "weerbaar", *args],
            capture_output=True,
            text=True,
            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        )
        out = res.stdout + res.stderr
        assert res.returncode == 2, (args, out)
        assert expected in out, (args, out)
        assert "Missing" not in out and "No such" not in out and "Invalid value" not in out
