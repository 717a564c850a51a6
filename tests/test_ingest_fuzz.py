"""Fuzzing the readers: mutated PDF, DOCX and HTML files always give a status (never an
exception or a hang) and, when read, passages that slice the document text exactly."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest_helpers import make_docx, pdf_bytes
from weerbaar.ingest.readers import DOCX
from weerbaar.ingest.status import Status
from weerbaar.ingest.worker import ParsePool
from weerbaar.settings import load_settings
from weerbaar.store.documents import PAGE_SEPARATOR

MEDIA = {"pdf": "application/pdf", "docx": DOCX, "html": "text/html"}
_counter = itertools.count()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("seeds")
    make_docx(tmp / "seed.docx")
    html = (
        "<html><head><meta charset='utf-8'><title>Beleid</title></head><body><main>"
        "<h1>Weerbaarheid</h1><p>De gemeente oefent &amp; evalueert.</p><ul><li>één</li></ul>"
        "<table><tr><td>a</td><td>b</td></tr></table></main></body></html>"
    )
    return {
        "pdf": pdf_bytes(2, seed=3),
        "docx": (tmp / "seed.docx").read_bytes(),
        "html": html.encode(),
    }


@pytest.fixture(scope="module")
def pool() -> Iterator[ParsePool]:
    with ParsePool(load_settings(parse_timeout_s=20, parse_memory_mb=1024, ocr=False)) as p:
        yield p


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("cut"), st.floats(0.05, 1), st.just(0)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 2000)),
)


def _mutate(data: bytes, ops: list[tuple]) -> bytes:
    buf = bytearray(data)
    for op, where, arg in ops:
        if not buf:
            break
        i = min(len(buf) - 1, int(where * len(buf)))
        if op == "flip":
            buf[i] = arg
        elif op == "cut":
            del buf[max(1, i) :]
        elif op == "insert":
            buf[i:i] = arg
        else:
            buf[i:i] = buf[i : i + arg]
    return bytes(buf)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=st.sampled_from(sorted(MEDIA)), ops=st.lists(mutation, min_size=1, max_size=6))
def test_fuzzed_files_always_get_a_status(
    seeds: dict[str, bytes], pool: ParsePool, workdir: Path, kind: str, ops: list[tuple]
) -> None:
    path = workdir / f"f{next(_counter)}.{kind}"
    path.write_bytes(_mutate(seeds[kind], ops))
    result = pool.parse(path, MEDIA[kind])
    status = Status(result["status"])  # a known status, never an exception
    assert status != Status.timeout
    if status in (Status.ok, Status.truncated):
        text = PAGE_SEPARATOR.join(p["text"] for p in result["pages"])
        for p in result["passages"]:
            assert text[p["char_start"] : p["char_end"]] == p["text"]
    else:
        assert result["reason"]
    path.unlink()


def test_fuzz_seeds_read(seeds: dict[str, bytes], pool: ParsePool, workdir: Path) -> None:
    for kind, data in seeds.items():
        path = workdir / f"seed.{kind}"
        path.write_bytes(data)
        assert pool.parse(path, MEDIA[kind])["status"] == "ok", kind
