"""Settings, declared once as a table. Each can be overridden with an environment
variable ``WEERBAAR_<NAME>`` (upper case) or by passing values to :func:`load_settings`.

The table also declares the other ``WEERBAAR_*`` variables (workspace, database, web
app), which the code reads through :func:`environment`, and writes the settings page of
the documentation:
``python -m weerbaar.settings > docs/instellingen.md`` (a test keeps that page current).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("max_file_bytes", 300 * 1024 * 1024, "Grootste bestand dat wordt ingelezen (bytes)."),
    Setting(
        "max_unpacked_bytes", 500 * 1024 * 1024, "Grootste uitgepakte omvang van DOCX (bytes)."
    ),
    Setting("max_zip_ratio", 100, "Hoogste compressieverhouding van een DOCX-onderdeel."),
    Setting("max_zip_entries", 10_000, "Meeste onderdelen in een DOCX-bestand."),
    Setting("max_pages", 2_000, "Meeste pagina's per document; de rest wordt niet gelezen."),
    Setting("max_chars", 20_000_000, "Meeste tekens per document."),
    Setting("parse_timeout_s", 120, "Tijdslimiet per bestand voor het lezen (seconden)."),
    Setting("parse_memory_mb", 2048, "Geheugenlimiet per bestand voor het lezen (MB)."),
    Setting("render_timeout_s", 20, "Tijdslimiet voor het tekenen van een pagina-afbeelding (s)."),
    Setting(
        "render_memory_mb", 512, "Geheugenlimiet voor het tekenen van een pagina-afbeelding (MB)."
    ),
    Setting("ocr", True, "Pagina's zonder tekstlaag met OCR (tesseract) lezen als dat er is."),
    Setting("ocr_max_pixels", 40_000_000, "Grootste pagina-afbeelding voor OCR (pixels)."),
    Setting("ocr_max_pages", 400, "Meeste pagina's per document die met OCR gelezen worden."),
    Setting(
        "ocr_budget_s",
        900,
        "Tijdbudget voor OCR per document (seconden); de gelezen pagina's blijven bewaard.",
    ),
    Setting("passage_min_words", 40, "Kleinste passage (woorden), waar de tekst dat toelaat."),
    Setting("passage_max_words", 200, "Grootste passage (woorden)."),
    Setting(
        "scan_top_k",
        40,
        "Hoogstens zoveel kandidaat-passages per maatregel per organisatie in de scan.",
    ),
    Setting(
        "scan_min_score",
        0.05,
        "Laagste score waarmee een passage in de beoordelingsrij komt (0-1).",
    ),
    Setting(
        "scan_embed_per_measure",
        50,
        "Hoogstens zoveel passages per maatregel per organisatie krijgen in de scan een "
        "betekenisvector (de trage stap): de passages die in woorden het meest op de "
        "maatregel lijken.",
    ),
    Setting("session_hours", 12, "Geldigheid van een sessie in de webapp (uren)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}

# Environment variables that are not a field of Settings: where they are read, and why.
ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("WEERBAAR_WERKRUIMTE", "Map van de werkruimte als `--werkruimte` ontbreekt (standaard `./werkruimte`)."),
    ("WEERBAAR_DATABASE_URL", "PostgreSQL-adres voor deze werkruimte (`postgresql+psycopg://...`); zonder: SQLite."),
    ("WEERBAAR_DATABASE_SERVER", "PostgreSQL-server waarop elke werkruimte een eigen database krijgt."),
    ("WEERBAAR_WEB_HOSTS", "Extra hostnamen die de webapp accepteert (komma's ertussen)."),
    ("WEERBAAR_WEB_THEMA_CSS", "Eigen CSS-bestand voor de huisstijl van de webapp."),
    ("WEERBAAR_WEB_THEMA_KLASSE", "CSS-klasse van dat thema op de pagina."),
    ("WEERBAAR_DEMO_DIR", "Map met de demodata (standaard `demo/` van de broncode)."),
    ("WEERBAAR_ONTWIKKELSET", "Map met de ontwikkelset voor het trainen van het fasemodel."),
)  # fmt: skip


_DECLARED = frozenset(name for name, _ in ENVIRONMENT)


def environment(name: str) -> str | None:
    """The value of ``name``, one of the ``WEERBAAR_*`` variables declared in
    ``ENVIRONMENT`` (``None`` when it is not set). The code reads those variables only
    through here (a test keeps it so); an undeclared name is a programming error."""
    if name not in _DECLARED:
        raise KeyError(f"{name} is not declared in weerbaar.settings.ENVIRONMENT")
    return os.environ.get(name)


def _parse(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "ja", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    max_file_bytes: int
    max_unpacked_bytes: int
    max_zip_ratio: int
    max_zip_entries: int
    max_pages: int
    max_chars: int
    parse_timeout_s: int
    parse_memory_mb: int
    render_timeout_s: int
    render_memory_mb: int
    ocr: bool
    ocr_max_pixels: int
    ocr_max_pages: int
    ocr_budget_s: int
    passage_min_words: int
    passage_max_words: int
    scan_top_k: int
    scan_min_score: float
    scan_embed_per_measure: int
    session_hours: int


def load_settings(**overrides: Any) -> Settings:
    """Defaults, then ``WEERBAAR_*`` environment variables, then ``overrides``."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        setting = _BY_NAME[f.name]
        value: Any = setting.default
        env = os.environ.get(f"WEERBAAR_{f.name.upper()}")
        if env is not None:
            value = _parse(env, setting.default)
        if f.name in overrides and overrides[f.name] is not None:
            value = overrides[f.name]
        values[f.name] = value
    unknown = set(overrides) - set(values)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    return Settings(**values)


def settings_markdown() -> str:
    """The settings page of the documentation (docs/instellingen.md), from the tables."""
    lines = [
        "# Instellingen",
        "",
        "<!-- Gemaakt met: python -m weerbaar.settings > docs/instellingen.md -->",
        "",
        "Elke instelling heeft een standaardwaarde. U overschrijft die met een",
        "omgevingsvariabele `WEERBAAR_<NAAM>` (de naam in hoofdletters), bijvoorbeeld",
        "`WEERBAAR_MAX_PAGES=500`. Aan/uit-instellingen: `ja`, `yes`, `1`, `true` of `on` is aan.",
        "",
        "| Instelling | Omgevingsvariabele | Standaard | Betekenis |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = ("ja" if s.default else "nee") if isinstance(s.default, bool) else s.default
        env = f"WEERBAAR_{s.name.upper()}"
        lines.append(f"| `{s.name}` | `{env}` | `{default}` | {s.help} |")
    lines += ["", "## Andere omgevingsvariabelen", "", "| Variabele | Betekenis |", "|---|---|"]
    lines += [f"| `{name}` | {text} |" for name, text in ENVIRONMENT]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(settings_markdown())
