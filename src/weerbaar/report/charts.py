"""Charts as inline SVG (matplotlib, Agg backend; text as paths, so no fonts are needed
and the file stays self-contained). Deterministic: fixed hash salt, no date metadata."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

# Colours chosen for contrast with the text in table cells (see report.css) and
# distinguishable in grey print; letters always accompany colour in tables.
SCORE_COLORS: dict[str, str] = {
    "Hoog": "#1a7f37",
    "Midden": "#f2c744",
    "Laag": "#c0392b",
    "Onvoldoende bronnen": "#bdbdbd",
    "Nog niet beoordeeld": "#cfe0f1",
}
STAGE_COLORS: dict[str, str] = {
    "voornemen": "#c6dbef",
    "plan": "#6baed6",
    "uitvoering": "#2171b5",
    "evaluatie": "#08306b",
}
ORDER = ("Hoog", "Midden", "Laag", "Onvoldoende bronnen", "Nog niet beoordeeld")

plt.rcParams.update(
    {
        "svg.hashsalt": "weerbaar",
        "svg.fonttype": "path",
        "font.family": "DejaVu Sans",
        "font.size": 9,
    }
)


def _svg(fig: plt.Figure, title: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    # Accessible name; the figure caption in the page says the same.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)
    return svg


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    scores: Sequence[Sequence[str]],
    title: str,
    *,
    row_groups: Sequence[tuple[int, str]] | None = None,
) -> str:
    """Organisations × measures coloured by score. With ``row_groups`` (start row, label)
    only the group labels are shown on the y axis (for hundreds of rows)."""
    index = {s: i for i, s in enumerate(ORDER)}
    data = [[index.get(s, 3) for s in r] for r in scores]
    top = len(ORDER) - 1
    n_rows = max(len(rows), 1)
    height = min(max(1.6, 0.22 * n_rows + 1.2), 9.5)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.2 * len(columns) + 2.5), height))
    cmap = ListedColormap([SCORE_COLORS[s] for s in ORDER])
    ax.imshow(data or [[3]], cmap=cmap, vmin=0, vmax=top, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(columns)), labels=columns, rotation=90, fontsize=7)
    if row_groups:
        ax.set_yticks([g[0] for g in row_groups], labels=[g[1] for g in row_groups], fontsize=6)
    else:
        ax.set_yticks(range(len(rows)), labels=rows, fontsize=7)
    ax.set_xlabel("Maatregel")
    handles = [plt.Rectangle((0, 0), 1, 1, color=SCORE_COLORS[s]) for s in ORDER]
    ax.legend(handles, ORDER, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(title)
    return _svg(fig, title)


def stacked_scores(
    labels: Sequence[str],
    counts: Sequence[Mapping[str, int]],
    title: str,
    xlabel: str = "Aantal organisaties",
) -> str:
    """Horizontal stacked bars of Hoog/Midden/Laag/Onvoldoende per label."""
    # few bars (pillars) get thicker bars, so the chart stays readable when scaled
    per_bar = 0.17 if len(labels) > 12 else 0.38
    fig, ax = plt.subplots(figsize=(7.0, max(2.4, per_bar * len(labels) + 1.0)))
    left = [0] * len(labels)
    ys = list(range(len(labels)))
    for s in ORDER:
        vals = [c.get(s, 0) for c in counts]
        ax.barh(ys, vals, left=left, color=SCORE_COLORS[s], label=s, edgecolor="white", height=0.8)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.set_yticks(ys, labels=labels, fontsize=7 if len(labels) > 12 else 9)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title)
    return _svg(fig, title)


def stages_per_year(years: Sequence[int], stages: Sequence[Mapping[str, int]], title: str) -> str:
    """Stacked bars of validated passages per document year, by stage."""
    fig, ax = plt.subplots(figsize=(7.0, 2.8))
    bottom = [0] * len(years)
    xs = [str(y) for y in years]
    for s, color in STAGE_COLORS.items():
        vals = [st.get(s, 0) for st in stages]
        ax.bar(xs, vals, bottom=bottom, color=color, label=s, edgecolor="white")
        bottom = [a + b for a, b in zip(bottom, vals, strict=True)]
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Gevalideerde passages")
    ax.set_xlabel("Jaar van het document")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title)
    return _svg(fig, title)
