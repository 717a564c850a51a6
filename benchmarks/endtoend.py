"""End-to-end benchmark: read, index and scan a corpus through the public functions
(``weerbaar.ingest.ingest``, ``weerbaar.search.index.update_index``,
``weerbaar.search.scan``), with the time of each stage, and an estimate for 1,000
documents of 100 pages on this machine (goal: under 10 minutes).

The corpus is the generated one of benchmarks/ingest.py (PDFs of 100 pages of Dutch text
with headings and lists, cached in benchmarks/.cache/ingest/).

How the 1,000 documents are spread (the assumption that matters most): 20 documents per
organisation, so 50 organisations. A municipality's planning and control cycle gives
about five large documents a year (programme budget, annual accounts, spring memorandum,
two interim reports); with two years of those and some ten policy documents that matter
for resilience (crisis plan, regional risk profile, safety policy, a few council
proposals and information letters) one organisation brings about 20 documents of on
average 100 pages. Change it with ``--per-organisatie``.

Why the stages are modelled apart:

- inlezen and indexeren cost the same per page whoever the pages belong to: the cost of
  one more page comes from two runs (``--klein`` and ``--per-organisatie`` documents) and
  is added to the fixed cost of the small run.
- scannen has a fixed part per run (model, workspace data: it grows with the passages)
  and a part per organisation. The expensive part is the dense embedding, and the
  evidence model embeds per organisation at most measures x ``scan_embed_per_measure``
  passages (``EvidenceModel.shortlist``): it stops growing once an organisation has
  enough passages, so it is not linear in pages and cannot be extrapolated from a corpus
  of one small organisation (that overestimates a large organisation) nor from one
  organisation holding the whole corpus (that underestimates by the number of
  organisations). So every organisation is scanned on its own: ``scan`` of an
  organisation without passages gives the run's fixed part (twice: cold, with the
  embedding model loaded, then warm),
  and ``scan`` of an organisation of exactly ``--per-organisatie`` documents gives the
  cost of one realistic organisation, measured, not extrapolated. The estimate is
  fixed part (linear in passages between the two runs) + organisations x that cost.

The generated text is all about resilience, so the pre-filter admits nearly every passage
and the embedding reaches its bound sooner than on real budgets, where most passages are
about something else: for the scan the estimate is on the high side.

Each run is a fresh process with a fresh workspace. Expect several minutes: most of it
is the embedding of the large organisation's shortlist.

Usage: python benchmarks/endtoend.py [--per-organisatie 20] [--klein 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import PAGES, build_corpus

TARGET_DOCS = 1000
GOAL_S = 600
T = TypeVar("T")


def _cpu_s() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def _timed(call: Callable[[], T]) -> tuple[T, dict]:
    t, c = time.perf_counter(), _cpu_s()
    result = call()
    return result, {"s": time.perf_counter() - t, "cpu": _cpu_s() - c}


def run(files: list[Path]) -> dict:
    """One run in a fresh workspace: all ``files`` for one municipality; the time of
    reading, indexing, a scan of an organisation without passages (cold, then warm: the
    fixed part of a scan run) and the scan of the organisation."""
    from weerbaar.catalog import load_register
    from weerbaar.ingest import ingest
    from weerbaar.search import scan
    from weerbaar.search.embed import embed
    from weerbaar.search.index import update_index
    from weerbaar.search.rerank import model_for
    from weerbaar.settings import load_settings
    from weerbaar.store import open_workspace
    from weerbaar.store.documents import count_rows

    org, empty = (m.code for m in load_register().municipalities()[:2])
    out: dict = {"docs": len(files)}
    with tempfile.TemporaryDirectory(prefix="weerbaar-e2e-") as tmp:
        ws = open_workspace(Path(tmp) / "ws")
        settings = load_settings(ocr=False)
        report, out["inlezen"] = _timed(
            lambda: ingest(ws, files, organisation=org, progress=False, settings=settings)
        )
        out["pages"] = report.pages_parsed
        _, out["indexeren"] = _timed(lambda: update_index(ws))
        # the cold fixed part: a scan without passages plus loading the embedding model
        # (a scan loads it at its first organisation; counted once here, not per organisation)
        embed_model = model_for(ws).base.embed_model
        _, out["vast_koud"] = _timed(
            lambda: (scan(ws, organisation=empty, progress=False), embed(["opwarmen"], embed_model))
        )
        _, out["vast"] = _timed(lambda: scan(ws, organisation=empty, progress=False))
        rep, out["organisatie"] = _timed(lambda: scan(ws, organisation=org, progress=False))
        out["candidates"] = rep.candidates
        out["embedded"] = rep.index["vectoren_nieuw"]
        out["admitted"] = rep.index["toegelaten"]
        out["measures"] = len(rep.measures)
        out["per_measure"] = settings.scan_embed_per_measure
        with ws.read() as conn:
            out["passages"] = count_rows(conn)["passages"]
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ws.close()
    return out


def run_child(files: list[Path]) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"meting mislukt:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _line(r: dict) -> str:
    return (
        f"  {r['docs']:3d} documenten van één gemeente, {r['pages']} pagina's, "
        f"{r['passages']} passages: inlezen {r['inlezen']['s']:.1f} s "
        f"({r['inlezen']['cpu']:.1f} CPU-s), indexeren {r['indexeren']['s']:.1f} s "
        f"({r['indexeren']['cpu']:.1f} CPU-s); scan zonder passages (vast deel) "
        f"{r['vast_koud']['s']:.1f} s koud, {r['vast']['s']:.1f} s warm; scan van de "
        f"gemeente {r['organisatie']['s']:.1f} s ({r['organisatie']['cpu']:.1f} CPU-s): "
        f"{r['admitted']} passages door het voorfilter, {r['embedded']} ingebed "
        f"(grens {r['measures']} maatregelen x {r['per_measure']} = "
        f"{r['measures'] * r['per_measure']}; {r['embedded'] / r['organisatie']['s']:.1f} per s "
        f"van de hele scan), {r['candidates']} kandidaten; "
        f"piekgeheugen {r['rss_mb']:.0f} MB"
    )


def estimate(small: dict, large: dict, per_org: int, key: str) -> tuple[float, list[str]]:
    """Seconds (``key`` "s") or CPU seconds ("cpu") for TARGET_DOCS documents of PAGES
    pages in TARGET_DOCS / per_org organisations, and the parts."""
    target_pages = TARGET_DOCS * PAGES
    n_orgs = -(-TARGET_DOCS // per_org)
    dp = large["pages"] - small["pages"]
    parts, total = [], 0.0
    for s in ("inlezen", "indexeren"):
        # the cost of one more page (never below zero: timing noise on a busy machine)
        per_page = max(0.0, (large[s][key] - small[s][key]) / dp)
        est = small[s][key] + per_page * (target_pages - small["pages"])
        total += est
        parts.append(f"{s} {est / 60:.1f} min ({per_page * 1000:.2f} ms per extra pagina)")
    fixed_page = max(0.0, (large["vast"][key] - small["vast"][key]) / dp)
    fixed = large["vast_koud"][key] + fixed_page * (
        target_pages - large["pages"]
    )  # cold start once; the warm part grows with the passages
    org = max(0.0, large["organisatie"][key] - large["vast"][key])
    scan_est = fixed + n_orgs * org
    total += scan_est
    parts.append(
        f"scannen {scan_est / 60:.1f} min (vast deel {fixed:.0f} s + {n_orgs} organisaties "
        f"x {org:.1f} s per organisatie van {per_org} documenten)"
    )
    return total, parts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--per-organisatie", type=int, default=20, help="documents per organisation (large run)"
    )
    ap.add_argument("--klein", type=int, default=2, help="documents in the small run")
    ap.add_argument("--child", nargs="+")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run([Path(f) for f in args.child])))
        return
    per_org = args.per_organisatie
    files = build_corpus(max(args.klein, per_org))
    small = run_child(files[: args.klein])
    large = run_child(files[:per_org])
    n_orgs = -(-TARGET_DOCS // per_org)
    print(
        f"eind-tot-eind (inlezen + indexeren + scannen), PDF's van {PAGES} pagina's; "
        "per meting een verse werkruimte:"
    )
    print(_line(small))
    print(_line(large))
    grow = (large["organisatie"]["s"] - large["vast"]["s"]) / max(
        1e-9, small["organisatie"]["s"] - small["vast"]["s"]
    )
    print(
        f"  scan per gemeente: {large['docs'] / small['docs']:.0f}x zoveel documenten kost "
        f"{grow:.1f}x zoveel tijd ({small['embedded']} -> {large['embedded']} ingebedde "
        "passages: de inbedding per organisatie is begrensd)"
    )
    print(
        f"aannames: {TARGET_DOCS} documenten van gemiddeld {PAGES} pagina's bij {n_orgs} "
        f"organisaties van {per_org} documenten (--per-organisatie); inlezen en indexeren "
        "lineair per pagina; scannen = vast deel per run + organisaties x de gemeten scan "
        "van één organisatie van die omvang"
    )
    for key, label in (("s", "tijd"), ("cpu", "CPU-tijd")):
        total, parts = estimate(small, large, per_org, key)
        verdict = "binnen het doel" if total < GOAL_S else "BOVEN HET DOEL"
        print(
            f"geschat uit de {label}: {total / 60:.1f} min ({verdict} van {GOAL_S // 60} min): "
            + "; ".join(parts)
        )
    load = os.getloadavg()[0]
    print(
        f"(belasting van de machine na de meting: {load:.1f} op {os.cpu_count()} kernen; de "
        "CPU-tijd telt alle processen en threads op, de stappen lopen deels parallel)"
    )


if __name__ == "__main__":
    main()
