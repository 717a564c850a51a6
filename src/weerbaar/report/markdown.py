"""The report as Markdown (same content as the HTML, without charts)."""

from __future__ import annotations

import re
from typing import Any


def md_escape(text: str) -> str:
    """Escape characters that Markdown (or HTML inside Markdown) would interpret."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", text)


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(md_escape(str(c)) for c in cells) + " |"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return [_row(header), "|" + "---|" * len(header), *(_row(r) for r in rows), ""]


def _quotes(qs: list[dict[str, Any]]) -> list[str]:
    out = []
    for q in qs:
        out.append("> " + md_escape(q["text"]))
        src = f"{q['organisation_name']} · {q['document']} · {q['page']} · fase: {q['stage']}"
        link = f" ([bestand]({q['href']}))" if q["href"] else ""
        out.append(">\n> — " + md_escape(src) + link)
        out.append("")
    return out


def render_markdown(c: dict[str, Any], version: str) -> str:
    L: list[str] = [f"# {md_escape(c['title'])}", ""]
    queue = (
        f" · passages uit de scan gecontroleerd: {c['queue_reviewed']} van {c['queue_total']}"
        if c["queue_total"]
        else ""
    )
    L.append(
        f"Catalogus {c['catalog_version']} · peiljaar {c['reference_year']} · "
        f"{c['focus'].name if c['focus'] is not None else c['n_orgs_text']}{queue} · gemaakt {c['generated_at']} met weerbaar {version}"
    )
    L += ["", "> **Let op:** geen openbaar bewijs betekent niet dat een maatregel ontbreekt.", ""]
    if c["no_documents"]:
        L += [
            f"> **Geen documenten ingelezen.** Van {md_escape(c['scope_name'] or 'dit bereik')} "
            "is geen enkel document gelezen; er is dus niets beoordeeld.",
            "",
        ]
    L += ["## Belangrijkste bevindingen", ""]
    L += [f"- {md_escape(f)}" for f in c["findings"]] + [""]
    if c["no_documents"]:
        L += ["## Verzamelde bronnen", ""]
        L += _coverage(c) + _method()
        return "\n".join(L)
    L += ["## Per maatregel over alle organisaties", ""]
    L += _table(
        [
            "Nr.",
            "Maatregel",
            "Hoog",
            "Midden",
            "Laag",
            "Onv. bronnen",
            "Nog niet beoord.",
            c["class_label"],
            "Spreiding",
        ],
        [
            [
                m["measure"],
                m["title"],
                m["counts"]["Hoog"],
                m["counts"]["Midden"],
                m["counts"]["Laag"],
                m["counts"]["Onvoldoende bronnen"],
                m["counts"]["Nog niet beoordeeld"],
                m["national_class"],
                m["spread"],
            ]
            for m in c["measures"]
        ],
    )
    L += ["## Per pijler", ""]
    L += _table(
        ["Pijler", "Hoog", "Midden", "Laag", "Onv. bronnen", "Nog niet beoord."],
        [
            [
                f"{p['pillar']}. {p['name']}",
                p["counts"]["Hoog"],
                p["counts"]["Midden"],
                p["counts"]["Laag"],
                p["counts"]["Onvoldoende bronnen"],
                p["counts"]["Nog niet beoordeeld"],
            ]
            for p in c["pillars"]
        ],
    )
    if c["focus"] is not None:
        L += ["## Per maatregel", ""]
        for s in c["focus_scores"]:
            L += [
                f"### {s['measure']} {md_escape(s['title'])}",
                "",
                f"**Score: {s['score']}**"
                + (f" (berekend: {s['computed_score']})" if s["overridden"] else ""),
                "",
            ]
            L += [f"- {md_escape(r)}" for r in s["reasons"] + s["dependency_flags"]]
            if s["missing"] and s["score"] in ("Hoog", "Midden", "Laag"):
                L.append("- Kernhiaten: " + md_escape("; ".join(s["missing"])))
            for g in s["signals"]:
                L.append(f"- Knelpunt: {md_escape(g['label'])} ({md_escape(g['detail'])})")
            L.append("")
            L += _quotes(s["quotes"])
    else:
        L += ["## Cruciale maatregelen", ""]
        for m in c["crucial"]:
            L += [f"### {m['measure']} {md_escape(m['title'])}", ""]
            L.append(
                f"{m['national_class']} ({m['spread']}): Hoog {m['counts']['Hoog']}, Midden "
                f"{m['counts']['Midden']}, Laag {m['counts']['Laag']} van {m['assessed']}."
            )
            if m["nowhere"] and m["classified"]:
                L.append("\nKernhiaten (nergens aangetoond): " + md_escape("; ".join(m["nowhere"])))
            if m["trend"]:
                L.append("\nOntwikkeling (hoogste fase per jaar): " + md_escape(m["trend"]))
            L.append("")
            L += _quotes(m["examples"])
    L += ["## Knelpunten", ""]
    L += _table(
        ["Knelpunt", "Organisaties", "Vaakst bij maatregel"],
        [
            [k["label"], f"{k['organisations']} ({k['pct']})", k["measures"]]
            for k in c["knelpunten"]
        ],
    )
    L += ["## Ontwikkeling over de jaren", ""]
    L += _table(
        ["Jaar", "Passages", "Organisaties", "Voornemen", "Plan", "Uitvoering", "Evaluatie"],
        [
            [
                y["year"],
                y["passages"],
                y["organisations"],
                y["stages"]["voornemen"],
                y["stages"]["plan"],
                y["stages"]["uitvoering"],
                y["stages"]["evaluatie"],
            ]
            for y in c["years"]
        ],
    )
    L += ["## Verzamelde bronnen", ""]
    L += _coverage(c)
    L += _method()
    return "\n".join(L)


def _coverage(c: dict[str, Any]) -> list[str]:
    return _table(
        [
            "Organisatie",
            "Ingelezen documenten",
            "Voldoende",
            "Ontbreekt",
            "Niet te lezen",
            "Passages uit de scan gecontroleerd",
        ],
        [
            [
                r["name"],
                r["doc_types"] or "geen",
                "ja" if r["sufficient"] else "nee",
                r["missing"],
                r["unread"],
                r["queue"],
            ]
            for r in c["coverage"]
        ],
    ) + [
        f"- Niet te lezen: {md_escape(u['file'])} ({md_escape(u['organisation'])}, "
        f"{md_escape(u['status'])})"
        for u in c.get("unread") or []
    ]


def _method() -> list[str]:
    return [
        "## Methode en voorbehoud",
        "",
        "Alleen passages die een beoordelaar heeft gevalideerd tellen mee. Hoog: recent bewijs "
        "van uitvoering en minstens de helft van de aspecten; Midden: minstens een plan; Laag: "
        "alleen voornemens of geen openbaar bewijs bij voldoende bronnen; Onvoldoende bronnen: "
        "geen bewijs en de relevante bronnen ontbreken; Nog niet beoordeeld: geen gecontroleerd "
        "bewijs, maar passages uit de scan wachten nog op controle. De regels staan in docs/beoordeling.md.",
        "",
        "Het ontbreken van openbaar bewijs is geen bewijs van het ontbreken van een maatregel.",
        "",
    ]
