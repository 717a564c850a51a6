"""The bundled demo: a fictional safety region with three municipalities, generated
documents in several formats, review decisions, and a runner for the whole scan."""

from __future__ import annotations
