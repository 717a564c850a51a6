"""Time the national report for the 25 safety regions and 342 municipalities of the
register on generated assessment data (seeded, so every run is the same):
the assessment itself (rules and aggregation) and each output format.

    .venv/bin/python benchmarks/report.py [--uit DIR] [--formaat html,pdf,xlsx,md,json]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from weerbaar.assess import measures_from_catalog
from weerbaar.assess.aggregate import compute
from weerbaar.assess.model import DocumentInfo, Evidence, OrgInfo
from weerbaar.assess.stage import STAGES
from weerbaar.catalog import load_catalog, load_register
from weerbaar.report import write_reports

SENTENCES = (
    "In {y} zijn in alle wijken noodsteunpunten ingericht en is er geoefend met de partners.",
    "Het draaiboek voor uitval van drinkwater is in {y} vastgesteld door het college.",
    "We gaan onderzoeken hoe de crisiscommunicatie ook laaggeletterde inwoners bereikt.",
    "Door vacatures bij het team crisisbeheersing is de uitvoering vertraagd.",
    "We wachten op het landelijk kader voordat de noodstroomvoorziening wordt uitgebreid.",
    "Er zijn 14 bijeenkomsten georganiseerd met 420 deelnemers uit de buurt.",
    "De oefening is geëvalueerd; de verbeterpunten zijn verwerkt in het plan.",
)


def generate(seed: int = 7):
    rng = random.Random(seed)
    catalog = load_catalog()
    register = load_register()
    measures, pillar_names = measures_from_catalog(catalog)
    orgs = [OrgInfo(o.code, o.name, o.type, o.region_code) for o in register.regions()]
    orgs += [OrgInfo(o.code, o.name, o.type, o.region_code) for o in register.municipalities()]
    docs, evidence = [], []
    pid = did = 0
    for o in orgs:
        kinds = ["begroting", "jaarstukken"] + (["risicoprofiel"] if o.type != "gemeente" else [])
        org_docs = []
        for year in (2023, 2024, 2025):
            for kind in kinds:
                if rng.random() < 0.8:
                    did += 1
                    d = DocumentInfo(did, o.code, kind, year, f"{kind.capitalize()} {year}")
                    docs.append(d)
                    org_docs.append(d)
        if not org_docs:
            continue
        for m in measures:
            if rng.random() < 0.45:
                continue
            for _ in range(rng.randint(1, 3)):
                d = rng.choice(org_docs)
                pid += 1
                stage = rng.choice(STAGES)
                aspects = tuple(a.id for a in m.aspects if rng.random() < 0.5)
                text = rng.choice(SENTENCES).format(y=d.year)
                page = rng.randint(1, 200)
                evidence.append(
                    Evidence(
                        passage_id=pid,
                        document_id=d.id,
                        organisation_code=o.code,
                        measure_id=m.id,
                        text=text,
                        page_start=page,
                        page_end=page,
                        stage=stage,
                        stage_source="beoordelaar",
                        aspects=aspects,
                        doc_type=d.doc_type,
                        year=d.year,
                        title=d.title,
                    )
                )
    return catalog, measures, pillar_names, orgs, docs, evidence


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--uit", type=Path, default=None)
    ap.add_argument("--formaat", default="html,pdf,xlsx,md,json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    catalog, measures, pillar_names, orgs, docs, evidence = generate()
    t1 = time.perf_counter()
    a = compute(
        catalog_version=catalog.version,
        measures=measures,
        pillar_names=pillar_names,
        organisations=orgs,
        documents=docs,
        evidence=evidence,
        reference_year=2025,
    )
    t2 = time.perf_counter()
    print(
        f"gegenereerd: {len(orgs)} organisaties, {len(docs)} documenten, "
        f"{len(evidence)} gevalideerde passages ({t1 - t0:.2f} s)"
    )
    print(f"beoordeling (regels + totalen): {t2 - t1:.2f} s")
    out = args.uit or Path(tempfile.mkdtemp(prefix="weerbaar-rapport-"))
    total, cpu_total = t2 - t1, 0.0
    for fmt in args.formaat.split(","):
        t, c = time.perf_counter(), time.process_time()
        files = write_reports(
            None, out, scope="landelijk", formats=[fmt], assessment=a, generated_at="benchmark"
        )
        dt, dc = time.perf_counter() - t, time.process_time() - c
        total += dt
        cpu_total += dc
        size = sum(f.stat().st_size for f in files) / 1e6
        print(
            f"{fmt:5s}: {dt:6.2f} s (cpu {dc:6.2f} s)  {size:6.2f} MB  "
            f"({', '.join(f.name for f in files)})"
        )
    print(
        f"totaal landelijk rapport (beoordeling + alle formaten): {total:.2f} s wandklok, "
        f"{cpu_total + (t2 - t1):.2f} s cpu (doel < 30 s; de html wordt hier voor pdf "
        f"opnieuw gemaakt) — uitvoer in {out}"
    )
    t = time.perf_counter()
    write_reports(None, out / "samen", scope="landelijk", formats=args.formaat.split(","),
                  assessment=a, generated_at="benchmark")  # fmt: skip
    print(f"alle formaten in één aanroep: {time.perf_counter() - t:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
