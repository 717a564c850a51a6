"""Settings, declared once as a table. Each can be overridden with an environment
variable ``WEERBAAR_<NAME>`` (upper case) or by passing values to :func:`load_settings`."""

from __future__ import annotations

import os
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
    Setting("scan_top_k", 30, "Kandidaat-passages per maatregel per organisatie in de scan."),
    Setting(
        "scan_min_score",
        0.05,
        "Laagste score waarmee een passage in de beoordelingsrij komt (0-1).",
    ),
    Setting("session_hours", 12, "Geldigheid van een sessie in de webapp (uren)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


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
