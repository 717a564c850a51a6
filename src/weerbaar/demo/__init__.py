"""The bundled demo: a fictional safety region with three municipalities, generated
documents in several formats, review decisions, and a runner for the whole scan."""

from __future__ import annotations

from weerbaar.demo.generate import GeneratedCorpus, GeneratedFile, generate_corpus
from weerbaar.demo.runner import DemoError, DemoResult, StepResult, format_summary, run_demo
from weerbaar.demo.sources import DemoDataError, load_organisations, load_sources

__all__ = [
    "DemoDataError",
    "DemoError",
    "DemoResult",
    "GeneratedCorpus",
    "GeneratedFile",
    "StepResult",
    "format_summary",
    "generate_corpus",
    "load_organisations",
    "load_sources",
    "run_demo",
]
