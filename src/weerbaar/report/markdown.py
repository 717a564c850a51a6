"""Markdown escaping for the Markdown report (rendered from ``templates/rapport.md.j2``,
like the HTML report from its template)."""

from __future__ import annotations

import re


def md_escape(text: object) -> str:
    """Escape characters that Markdown (or HTML inside Markdown) would interpret."""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", s)
