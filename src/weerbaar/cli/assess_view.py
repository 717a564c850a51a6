"""Text of ``weerbaar beoordeling``: a compact summary per organisation that reads at 80
columns, and the details per measure on request. Plain lines, wrapped here at word
boundaries (no table cuts words off)."""

from __future__ import annotations

import textwrap
from collections import Counter

from weerbaar.assess.model import (
    SCORE_LETTERS,
    SCORE_ORDER,
    Assessment,
    MeasureScore,
    OrgResult,
    Score,
)

MAX_GAPS = 5
MORE_HINT = "Meer: --details (alle maatregelen met redenen) of --maatregel 2.2."


def _width() -> int:
    from weerbaar.cli import console

    return max(40, min(console.width, 100))


def wrap(text: str, indent: int = 0, hang: int = 2) -> list[str]:
    """Wrap at word boundaries: first line at ``indent``, the rest ``hang`` further."""
    pad = " " * indent
    return textwrap.wrap(
        text,
        width=_width(),
        initial_indent=pad,
        subsequent_indent=pad + " " * hang,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [pad]


def _score_text(s: MeasureScore) -> str:
    text = s.score
    if s.override is not None:
        text += f" (berekend: {s.computed_score})"
    if s.regional and s.regional.carried_by_region and s.regional.combined_score != s.score:
        text += f"; met de regio: {s.regional.combined_score}"
    return text


def _header(org: OrgResult) -> list[str]:
    cov = org.coverage
    out = ["", *wrap(f"{org.name} ({org.organisation}, {org.type})")]
    sources = ", ".join(f"{k} {'/'.join(map(str, v))}" for k, v in cov.doc_types.items())
    out += wrap(f"Bronnen: {sources or 'geen'}", 2, 4)
    if not cov.sufficient:
        out += wrap(f"Ontbreekt: {'; '.join(cov.missing)}", 2, 4)
    if cov.unread:
        out += wrap(f"Niet te lezen: {'; '.join(cov.unread)}", 2, 4)
    if org.queue_total:
        validated = sum(len({e.passage_id for e in s.evidence_items}) for s in org.scores)
        out += wrap(
            f"Controle: {org.queue_reviewed} van {org.queue_total} passages bij een maatregel "
            f"gecontroleerd; {validated} gevalideerd.",
            2,
            4,
        )
    return out


def org_summary(org: OrgResult, a: Assessment) -> list[str]:
    """Counts per level, the crucial twelve in a grid, the key gaps and dependencies."""
    out = _header(org)
    counts = Counter(s.score for s in org.scores)
    out += wrap(
        f"Scores ({len(org.scores)} maatregelen): "
        + ", ".join(f"{k} {counts.get(k, 0)}" for k in SCORE_ORDER),
        2,
        4,
    )
    crucial = [s for s in org.scores if s.crucial]
    out += wrap("Cruciale maatregelen (? = onvoldoende bronnen, NB = nog niet beoordeeld):", 2, 4)
    cells = [f"{s.measure:>4} {SCORE_LETTERS.get(s.score, '?'):<2}" for s in crucial]
    for i in range(0, len(cells), 6):
        out.append("   " + "  ".join(cells[i : i + 6]))
    gaps = [s for s in crucial if s.score in (Score.LAAG, Score.MIDDEN) and s.missing_aspects]
    gaps.sort(key=lambda s: -len(s.missing_aspects) / max(s.aspect_total, 1))
    if gaps:
        out.append("  Belangrijkste hiaten (cruciale maatregelen, aspecten niet aangetoond):")
        for s in gaps[:MAX_GAPS]:
            out += wrap(
                f"{s.measure} {s.measure_title} ({s.score}): {len(s.missing_aspects)} van "
                f"{s.aspect_total}, o.a. {s.missing_aspect_labels[0].lower()}",
                4,
                4,
            )
    flags = [f for f in a.dependency_flags if f.organisation == org.organisation]
    for f in flags[:3]:
        out += wrap(f"Let op: {f.message}", 2, 4)
    if len(flags) > 3:
        out += wrap(f"Let op: nog {len(flags) - 3} afhankelijkheden (zie --details).", 2, 4)
    return out


def _measure_block(s: MeasureScore, indent: int = 2) -> list[str]:
    out = wrap(f"{s.measure} {s.measure_title}: {_score_text(s)}", indent, 4)
    for r in s.reasons + s.dependency_flags:
        out += wrap(f"- {r}", indent + 2, 2)
    if s.missing_aspect_labels and s.score in (Score.HOOG, Score.MIDDEN, Score.LAAG):
        out += wrap(f"- Kernhiaten: {'; '.join(s.missing_aspect_labels)}", indent + 2, 2)
    for g in s.signals:
        out += wrap(f"- Knelpunt: {g.label} ({g.detail})", indent + 2, 2)
    return out


def org_details(org: OrgResult) -> list[str]:
    out = _header(org)
    for s in org.scores:
        out += _measure_block(s)
    return out


def measure_detail(a: Assessment, orgs: list[OrgResult], measure: str) -> list[str]:
    info = a.measure_info[measure]
    out = wrap(f"{info.id} {info.title}" + (" (cruciaal)" if info.crucial else ""))
    if info.depends_on:
        out += wrap(f"Voorwaarde: {', '.join(info.depends_on)}", 2, 4)
    for org in orgs:
        s = org.score_of(measure)
        if s is None:
            continue
        out += ["", *wrap(f"{org.name} ({org.organisation})")]
        out += _measure_block(s)
    return out


def overall_summary(a: Assessment) -> list[str]:
    """Across the organisations: classes of the measures and the crucial twelve."""
    out = ["", *wrap(f"Over {len(a.organisations)} organisaties samen:")]
    classes = Counter(m.national_class for m in a.measures)
    out += wrap(
        "Maatregelen: " + ", ".join(f"{v} {k}" for k, v in classes.most_common()) + ".", 2, 4
    )
    out += wrap("Cruciale maatregelen (organisaties per score; beeld, spreiding):", 2, 4)
    for m in a.measures:
        if not m.crucial:
            continue
        counts = "  ".join(f"{SCORE_LETTERS[k]} {m.counts[k]}" for k in SCORE_ORDER)
        out += wrap(f"{m.measure} {m.title}", 4, 4)
        out += wrap(f"{counts}; {m.national_class}, {m.spread}", 8, 2)
    return out
