"""Charts as inline SVG (matplotlib, Agg backend; text as paths, so no fonts are needed
and the file stays self-contained). Deterministic: fixed hash salt, no date metadata."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import matplotlib

from weerbaar.assess.model import SCORE_LETTERS, SCORE_ORDER, Score

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

# Colour-blind-safe (Okabe-Ito blue/sky/orange: no red against green), ordered dark to
# light so they also differ in grey print; a second channel always accompanies the colour:
# the letter in every cell of the heat map and the tables, a hatch in the bar charts.
SCORE_COLORS: dict[str, str] = {
    Score.HOOG: "#0072b2",
    Score.MIDDEN: "#56b4e9",
    Score.LAAG: "#e69f00",
    Score.ONVOLDOENDE: "#999999",
    Score.NOG_NIET: "#ffffff",
}
TEXT_ON: dict[str, str] = {
    Score.HOOG: "#ffffff",
    Score.MIDDEN: "#000000",
    Score.LAAG: "#000000",
    Score.ONVOLDOENDE: "#000000",
    Score.NOG_NIET: "#000000",
}
HATCHES: dict[str, str] = {
    Score.HOOG: "",
    Score.MIDDEN: "..",
    Score.LAAG: "//",
    Score.ONVOLDOENDE: "xx",
    Score.NOG_NIET: "",
}
STAGE_COLORS: dict[str, str] = {
    "voornemen": "#c6dbef",
    "plan": "#6baed6",
    "uitvoering": "#2171b5",
    "evaluatie": "#08306b",
}
ORDER: tuple[str, ...] = SCORE_ORDER

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


def _legend_label(score: str) -> str:
    return f"{SCORE_LETTERS[score]} = {score}"


def heatmap(
    orgs: Sequence[str],
    measures: Sequence[str],
    scores: Sequence[Sequence[str]],
    title: str,
    *,
    row_groups: Sequence[tuple[int, str]] | None = None,
) -> str:
    """Scores per organisation and measure, each cell coloured and lettered (H, M, L, ?,
    NB). ``measures`` are labels with number and title. Up to 40 organisations: measures as
    rows, organisations as columns; more: organisations as rows and, with ``row_groups``
    (start row, label), only the group labels on that axis."""
    index = {s: i for i, s in enumerate(ORDER)}
    top = len(ORDER) - 1
    cmap = ListedColormap([SCORE_COLORS[s] for s in ORDER])
    transposed = len(orgs) <= 40
    if transposed:
        data = [[index.get(r[j], 3) for r in scores] for j in range(len(measures))]
        n_rows, n_cols = len(measures), max(len(orgs), 1)
        fig, ax = plt.subplots(figsize=(min(3.2 + 0.75 * n_cols, 11.0), 0.24 * n_rows + 1.6))
    else:
        data = [[index.get(v, 3) for v in r] for r in scores]
        n_rows, n_cols = len(orgs), len(measures)
        fig, ax = plt.subplots(figsize=(9.5, min(max(1.6, 0.22 * n_rows + 3.5), 12.0)))
    ax.imshow(data or [[3]], cmap=cmap, vmin=0, vmax=top, aspect="auto", interpolation="nearest")
    if transposed:
        # thin grid lines so white cells (nog niet beoordeeld) stay visible
        ax.set_xticks([x - 0.5 for x in range(1, n_cols)], minor=True)
        ax.set_yticks([y - 0.5 for y in range(1, n_rows)], minor=True)
        ax.grid(which="minor", color="#555555", linewidth=0.4)
        ax.tick_params(which="minor", length=0)
        ax.set_yticks(range(len(measures)), labels=measures, fontsize=6.5)
        ax.set_xticks(range(len(orgs)), labels=orgs, rotation=30, ha="right", fontsize=7)
        ax.xaxis.tick_top()
        plt.setp(ax.get_xticklabels(), ha="left")
        for j, row in enumerate(data):
            for i, v in enumerate(row):
                score = ORDER[v]
                ax.text(i, j, SCORE_LETTERS[score], ha="center", va="center", fontsize=6.5,
                        color=TEXT_ON[score])  # fmt: skip
    else:  # hundreds of rows: colour only; the lettered table is in the XLSX and CSV
        ax.set_xticks(range(len(measures)), labels=measures, rotation=90, fontsize=5.5)
        if row_groups:
            ax.set_yticks([g[0] for g in row_groups], labels=[g[1] for g in row_groups], fontsize=6)
        else:
            ax.set_yticks(range(len(orgs)), labels=orgs, fontsize=6)
    handles = [
        plt.Rectangle((0, 0), 1, 1, facecolor=SCORE_COLORS[s], edgecolor="#555555") for s in ORDER
    ]
    ax.legend(
        handles,
        [_legend_label(s) for s in ORDER],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=7,
    )
    ax.set_title(title, pad=40 if transposed else 6)
    return _svg(fig, title)


def stacked_scores(
    labels: Sequence[str],
    counts: Sequence[Mapping[str, int]],
    title: str,
    xlabel: str = "Aantal organisaties",
) -> str:
    """Horizontal stacked bars of Hoog/Midden/Laag/Onvoldoende per label."""
    # few bars (pillars) get thicker bars, so the chart stays readable when scaled
    per_bar = 0.2 if len(labels) > 12 else 0.38
    fig, ax = plt.subplots(figsize=(7.0, max(2.4, per_bar * len(labels) + 1.0)))
    left = [0] * len(labels)
    ys = list(range(len(labels)))
    for s in ORDER:
        vals = [c.get(s, 0) for c in counts]
        ax.barh(
            ys,
            vals,
            left=left,
            color=SCORE_COLORS[s],
            label=_legend_label(s),
            edgecolor="#333333",
            linewidth=0.4,
            hatch=HATCHES[s],
            height=0.8,
        )
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
