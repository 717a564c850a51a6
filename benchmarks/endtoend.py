"""End-to-end benchmark: read, index and scan a corpus through the public functions
(``weerbaar.ingest.ingest``, ``weerbaar.search.index.update_index``,
``weerbaar.search.scan``), at two corpus sizes, with the time of each stage, and an
extrapolation to 1,000 documents of 100 pages on this machine (goal: under 10 minutes).

The corpus is the generated one of benchmarks/ingest.py (PDFs of 100 pages of Dutch text
with headings and lists, cached in benchmarks/.cache/ingest/), read for one real
municipality so that the scan has an organisation to fill the review queue for. Each size
runs in a fresh process and a fresh workspace. The extrapolation takes the growth between
the two sizes per stage (the cost of one more page) and adds the fixed cost of the small
run; stages that grow faster than linearly show up as a rising cost per page.

Usage: python benchmarks/endtoend.py [--klein 2] [--groot 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import PAGES, build_corpus

TARGET_DOCS = 1000
GOAL_S = 600
ORGANISATION = "Wassenaar"


def _cpu_s() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def run(files: list[Path]) -> dict:
    """One end-to-end run in a fresh workspace: seconds and CPU seconds per stage."""
    from weerbaar.ingest import ingest
    from weerbaar.search import scan
    from weerbaar.search.index import update_index
    from weerbaar.settings import load_settings
    from weerbaar.store import open_workspace
    from weerbaar.store.documents import count_rows

    out: dict = {"docs": len(files)}
    with tempfile.TemporaryDirectory(prefix="weerbaar-e2e-") as tmp:
        ws = open_workspace(Path(tmp) / "ws")
        for stage, call in (
            (
                "inlezen",
                lambda: ingest(
                    ws,
                    files,
                    organisation=ORGANISATION,
                    progress=False,
                    settings=load_settings(ocr=False),
                ),
            ),
            ("indexeren", lambda: update_index(ws)),
            ("scannen", lambda: scan(ws, progress=False)),
        ):
            t, c = time.perf_counter(), _cpu_s()
            result = call()
            out[stage] = {"s": time.perf_counter() - t, "cpu": _cpu_s() - c}
            if stage == "inlezen":
                out["pages"] = result.pages_parsed
            if stage == "scannen":
                out["candidates"] = result.candidates
        with ws.read() as conn:
            counts = count_rows(conn)
        out["passages"] = counts["passages"]
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--klein", type=int, default=2, help="documents in the small run")
    ap.add_argument("--groot", type=int, default=5, help="documents in the large run")
    ap.add_argument("--child", nargs="+")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run([Path(f) for f in args.child])))
        return
    files = build_corpus(max(args.klein, args.groot))
    stages = ("inlezen", "indexeren", "scannen")
    small = run_child(files[: args.klein])
    large = run_child(files[: args.groot])
    print(f"eind-tot-eind (inlezen + indexeren + scannen), corpus van PDF's van {PAGES} pagina's:")
    for r in (small, large):
        total = sum(r[s]["s"] for s in stages)
        split = ", ".join(f"{s} {r[s]['s']:.1f} s ({r[s]['cpu']:.1f} CPU-s)" for s in stages)
        print(
            f"  {r['docs']:3d} documenten, {r['pages']} pagina's, {r['passages']} passages, "
            f"{r['candidates']} kandidaten: {total:.1f} s = {split}; piekgeheugen "
            f"{r['rss_mb']:.0f} MB"
        )
    target_pages = TARGET_DOCS * PAGES
    dp = large["pages"] - small["pages"]
    import os

    load = os.getloadavg()[0]
    for key, label in (("s", "tijd"), ("cpu", "CPU-tijd")):
        total = 0.0
        parts = []
        for s in stages:
            # the cost of one more page (never below zero: timing noise on a busy machine)
            per_page = max(0.0, (large[s][key] - small[s][key]) / dp)
            est = small[s][key] + per_page * (target_pages - small["pages"])
            total += est
            parts.append(f"{s} {est / 60:.1f} min ({per_page * 1000:.2f} ms per extra pagina)")
        verdict = "binnen het doel" if total < GOAL_S else "BOVEN HET DOEL"
        print(
            f"geschat voor {TARGET_DOCS} documenten x {PAGES} pagina's, uit de {label}: "
            f"{total / 60:.1f} min ({verdict} van {GOAL_S // 60} min): " + "; ".join(parts)
        )
    print(
        f"(belasting van de machine tijdens de meting: {load:.1f} op {os.cpu_count()} kernen; "
        "de CPU-tijd telt alle processen op, de stappen lopen deels parallel)"
    )


if __name__ == "__main__":
    main()
