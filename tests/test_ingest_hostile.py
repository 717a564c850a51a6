"""Hostile and broken inputs (issue 4 and RELIABILITY.md): each gets exactly one status
with a Dutch reason, the rest of its batch is stored, nothing partial is left behind."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pypdf
import pytest

from db_helpers import integrity_ok
from ingest_helpers import bomb_pdf, docx_with_part, make_docx, make_pdf, pdf_bytes, scanned_pdf
from weerbaar.errors import IngestError
from weerbaar.ingest import Status, ingest
from weerbaar.ingest.readers.docx import check_zip
from weerbaar.ingest.readers.pdf import tesseract_path
from weerbaar.settings import load_settings
from weerbaar.store import Workspace
from weerbaar.store.documents import count_rows, list_documents, list_passages

HELPERS = "ingest_helpers:misbehaving_parser"


def _encrypted(user: str, owner: str, source: bytes) -> bytes:
    w = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(source)))
    w.encrypt(user_password=user, owner_password=owner)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _many_pages(n: int, first: bytes) -> bytes:
    w = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(first)))
    for _ in range(n - len(w.pages)):
        w.add_blank_page(200, 200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _giant_blank() -> bytes:
    w = pypdf.PdfWriter()
    w.add_blank_page(14400, 14400)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[Status]]]:
    """A folder of hostile inputs and, per file name, the statuses allowed for it."""
    root = tmp_path_factory.mktemp("hostile") / "invoer"
    root.mkdir()
    good = pdf_bytes(3, seed=11)
    expect: dict[str, set[Status]] = {}

    def put(name: str, data: bytes, status: Status | set[Status]) -> None:
        (root / name).write_bytes(data)
        expect[name] = status if isinstance(status, set) else {status}

    put("goed.pdf", good, {Status.ok, Status.duplicate})
    put("goed-kopie.pdf", good, {Status.ok, Status.duplicate})
    put(
        "heropgeslagen.pdf",
        pdf_bytes(3, seed=11).replace(b"/CreationDate", b"/CreationDatf"),
        Status.ok,
    )
    put("wachtwoord.pdf", _encrypted("geheim", "o", pdf_bytes(1, seed=12)), Status.encrypted)
    put("alleen-eigenaar.pdf", _encrypted("", "x", pdf_bytes(1, seed=13)), Status.ok)
    put("afgebroken.pdf", good[: len(good) // 2], Status.corrupt)
    put("nep.pdf", b"hello world", Status.unsupported_type)
    put("leeg.pdf", b"", Status.empty)
    put("vijfduizend.pdf", _many_pages(5000, pdf_bytes(1, seed=14)), Status.truncated)
    put("reus.pdf", _giant_blank(), Status.empty)
    put("bom.pdf", bomb_pdf(512), {Status.corrupt, Status.too_large})
    put("geen-zip.docx", b"plain text", Status.corrupt)
    put("tabel.xlsx", b"PK\x03\x04 niet gelezen", Status.unsupported_type)
    put("programma.exe", b"MZ\x90\x00", Status.unsupported_type)
    put("enorm.txt", b"A" * 3_000_000, Status.truncated)
    put("cp1252.html", "<p>café € ë</p>".encode("cp1252"), Status.ok)
    put(
        "lachen.html",
        b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><p>&b; tekst</p>',
        Status.ok,
    )

    base = root.parent / "basis.docx"
    make_docx(base)
    shutil.copy(base, root / "goed.docx")
    expect["goed.docx"] = {Status.ok}
    with zipfile.ZipFile(root / "zipbom.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "A" * (200 << 20))
    expect["zipbom.docx"] = {Status.too_large}
    xml = zipfile.ZipFile(base).read("word/document.xml")
    head, rest = xml.split(b"?>", 1)
    xxe = head + b'?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>' + rest
    docx_with_part(
        root / "xxe.docx", base, "word/document.xml", xxe.replace(b"<w:t>", b"<w:t>&x;", 1)
    )
    expect["xxe.docx"] = {Status.corrupt}
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(9))
    docx_with_part(
        root / "lachen.docx",
        base,
        "word/document.xml",
        head + f"?><!DOCTYPE r [{laughs}]>".encode() + rest,
    )
    expect["lachen.docx"] = {Status.corrupt}

    # odd names: stored under a generated name, shown as given
    odd = pdf_bytes(1, seed=21)
    for i, name in enumerate(
        ["CON.pdf", 'x";\r\nSet-Cookie: a=b.pdf', "é" * 100 + ".pdf", "‮fdp.exe"]
    ):
        put(name, odd + b"%" + str(i).encode(), Status.ok)
    raw_name = os.fsencode(root) + b"/raar-\xff\xfe.txt"
    with open(raw_name, "wb") as fh:
        fh.write(b"Tekst in een bestand met een onleesbare naam.")
    expect["raar-\ufffd\ufffd.txt"] = {Status.ok}

    # links: a loop and links out of the folder are not followed
    outside = root.parent / "buiten.txt"
    outside.write_text("Dit staat buiten de map.", encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "binnen.txt").write_text("Tekst in een submap van de invoer.", encoding="utf-8")
    expect["binnen.txt"] = {Status.ok, Status.duplicate}
    (root / "sub" / "lus").symlink_to("..")
    expect["lus"] = {Status.link_not_followed}  # directory links get a status too
    (root / "etc").symlink_to("/etc")
    expect["etc"] = {Status.link_not_followed}
    (root / "naar-buiten.txt").symlink_to(outside)
    expect["naar-buiten.txt"] = {Status.link_not_followed}
    (root / "link-binnen.txt").symlink_to(root / "sub" / "binnen.txt")
    expect["link-binnen.txt"] = {Status.ok, Status.duplicate}
    os.mkfifo(root / "pijp.txt")
    expect["pijp.txt"] = {Status.unsupported_type}
    return root, expect


@pytest.mark.slow
def test_hostile_batch_one_status_each_and_rest_stored(
    workspace: Workspace, hostile_dir: tuple[Path, dict[str, set[Status]]]
) -> None:
    root, expect = hostile_dir
    settings = load_settings(max_pages=50, max_chars=1_000_000, parse_memory_mb=600, ocr=False)
    report = ingest(workspace, [root], settings=settings, progress=False)
    got = {i.name: i for i in report.items}
    assert len(report.items) == len(expect) == len(got)  # exactly one status per input
    for name, allowed in expect.items():
        assert got[name].status in allowed, (name, got[name].status, got[name].reason)
        assert got[name].status == Status.ok or got[name].reason  # Dutch reason for the rest
    # the good documents are fully stored despite their neighbours
    with workspace.read() as conn:
        docs = {d["id"]: d for d in list_documents(conn)}
        for item in report.items:
            doc = docs[item.document_id]
            assert doc["status"] == (
                item.status if item.status != Status.duplicate else doc["status"]
            )
            if item.status in (Status.ok, Status.truncated):
                assert list_passages(conn, document_id=item.document_id)
            elif item.status not in (Status.duplicate,):
                assert not list_passages(conn, document_id=item.document_id)
    # specifics
    assert docs[got["alleen-eigenaar.pdf"].document_id]["notes"]["encrypted_owner_only"] is True
    assert "wachtwoord" in got["wachtwoord.pdf"].reason
    big = docs[got["vijfduizend.pdf"].document_id]
    assert big["pages"] == 50 and big["notes"]["truncated_at_page"] == 50
    assert "50 van 5000" in big["reason"]
    for a, b in (("goed.pdf", "goed-kopie.pdf"), ("binnen.txt", "link-binnen.txt")):
        assert {got[a].status, got[b].status} == {Status.ok, Status.duplicate}
        assert got[a].document_id == got[b].document_id
        dup = got[a] if got[a].status == Status.duplicate else got[b]
        assert dup.duplicate_of == got[a].document_id
    assert got["heropgeslagen.pdf"].document_id != got["goed.pdf"].document_id
    assert "zip-bom" in got["zipbom.docx"].reason
    assert "DOCTYPE" in got["xxe.docx"].reason
    with workspace.read() as conn:
        texts = " ".join(p["text"] for p in list_passages(conn))
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else None
    if hostname:
        assert hostname not in texts.split()
    assert "Dit staat buiten de map" not in texts
    assert "café € ë" in texts
    # stored files have generated names only: <sha[:2]>/<sha>.<ext>
    for f in workspace.files_dir.rglob("*"):
        if f.is_file():
            assert f.parent.name == f.name[:2] and len(f.stem) == 64
    # every input name is recorded (escaping is the job of whoever shows it)
    with workspace.read() as conn:
        names = {n for d in list_documents(conn) for n in d["names"]}
    assert any(n.endswith('x";\r\nSet-Cookie: a=b.pdf') for n in names)
    assert any(n.endswith("raar-\ufffd\ufffd.txt") for n in names)
    assert integrity_ok(workspace.root)

    # P2: a second run parses nothing and adds nothing
    with workspace.read() as conn:
        before = count_rows(conn)
    again = ingest(workspace, [root], settings=settings, progress=False)
    assert again.pages_parsed == 0
    with workspace.read() as conn:
        assert count_rows(conn) == before
    assert {
        i.name: i.status for i in again.items if i.status in (Status.ok, Status.truncated)
    } == {}


def test_missing_and_deleted_mid_batch(workspace: Workspace, tmp_path: Path) -> None:
    from weerbaar.ingest.core import LOOKAHEAD

    # the files queued for the worker (one plus the look-ahead) are copied into the
    # workspace before the first result; the file after them is deleted then
    n = 2 + LOOKAHEAD
    files = []
    for i in range(n + 1):
        p = tmp_path / f"doc{i}.txt"
        p.write_text(f"Document nummer {i} met wat tekst.", encoding="utf-8")
        files.append(p)

    def delete_later(result) -> None:  # type: ignore[no-untyped-def]
        if result.path.endswith("doc0.txt"):
            files[n].unlink()

    report = ingest(
        workspace, [*files, tmp_path / "bestaat-niet.pdf"], progress=False, on_result=delete_later
    )
    statuses = [i.status for i in report.items]
    assert statuses == [Status.ok] * n + [Status.missing, Status.missing]
    # the file comes back: the re-run reads it and drops the 'missing' row
    files[n].write_text("Document nummer terug.", encoding="utf-8")
    again = ingest(workspace, files, progress=False)
    assert [i.status for i in again.items] == [Status.unchanged] * n + [Status.ok]
    with workspace.read() as conn:
        statuses = sorted(d["status"] for d in list_documents(conn))
    assert statuses == ["missing"] + ["ok"] * (n + 1)  # only bestaat-niet.pdf is still missing


@pytest.mark.slow
def test_parser_abort_hang_and_memory_cost_one_file(workspace: Workspace, tmp_path: Path) -> None:
    for name, data in [
        ("a-goed.txt", b"Een gewone tekst voor de eerste."),
        ("b-abort.txt", b"ABORT"),
        ("c-goed.txt", b"Een gewone tekst na de crash."),
        ("d-hang.txt", b"HANG"),
        ("e-geheugen.txt", b"HOG"),
        ("f-goed.txt", b"Een gewone tekst aan het eind."),
    ]:
        (tmp_path / name).write_bytes(data)
    settings = load_settings(parse_timeout_s=3, parse_memory_mb=1024)
    report = ingest(workspace, [tmp_path], settings=settings, progress=False, parser=HELPERS)
    statuses = {i.name: i.status for i in report.items}
    assert statuses == {
        "a-goed.txt": Status.ok,
        "b-abort.txt": Status.corrupt,
        "c-goed.txt": Status.ok,
        "d-hang.txt": Status.timeout,
        "e-geheugen.txt": Status.too_large,
        "f-goed.txt": Status.ok,
    }
    reasons = {i.name: i.reason for i in report.items}
    assert "SIGABRT" in reasons["b-abort.txt"]
    assert "3 s" in reasons["d-hang.txt"]


def test_zip_limits_boundaries(tmp_path: Path) -> None:
    def docx(entries: int, size: int = 10) -> Path:
        p = tmp_path / f"z{entries}-{size}.docx"
        with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as z:
            z.writestr("word/document.xml", "<w:document/>")
            for i in range(entries - 1):
                z.writestr(f"word/media/{i}.bin", os.urandom(size))
        return p

    settings = load_settings(max_zip_entries=20, max_unpacked_bytes=20_000)
    check_zip(docx(19), settings)
    check_zip(docx(20), settings)
    with pytest.raises(IngestError) as exc:
        check_zip(docx(21), settings)
    assert exc.value.status == Status.too_large
    # unpacked size: at the cap passes, one byte more is refused
    base = len("<w:document/>")
    check_zip(docx(2, 20_000 - base), settings)
    with pytest.raises(IngestError):
        check_zip(docx(2, 20_000 - base + 1), settings)


def test_file_size_and_page_caps_boundaries(workspace: Workspace, tmp_path: Path) -> None:
    data = b"x" * 99 + b"\n"
    for name, size in (("onder.txt", 99), ("op.txt", 100), ("boven.txt", 101)):
        (tmp_path / name).write_bytes(data[: size - 1] + b"\n" if size <= 100 else data + b"y")
    pdf = tmp_path / "pagina.pdf"
    make_pdf(pdf, [[("p", f"Pagina {i} met tekst.")] for i in range(1, 5)])
    settings = load_settings(max_file_bytes=100, max_pages=4)
    report = ingest(
        workspace,
        [tmp_path / n for n in ("onder.txt", "op.txt", "boven.txt")],
        settings=settings,
        progress=False,
    )
    assert [i.status for i in report.items] == [Status.ok, Status.ok, Status.too_large]
    for cap, expected in ((3, Status.truncated), (4, Status.ok), (5, Status.ok)):
        r = ingest(
            workspace,
            [pdf],
            settings=load_settings(max_pages=cap),
            progress=False,
            force=True,
        )
        assert r.items[0].status == expected and r.items[0].pages == min(cap, 4)


@pytest.mark.slow
def test_scanned_page_ocr_or_no_text_layer(workspace: Workspace, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scanned_pdf(scan, ["De gemeente oefent het plan", "voor langdurige stroomuitval."])
    without = ingest(workspace, [scan], settings=load_settings(ocr=False), progress=False)
    assert without.items[0].status == Status.no_text_layer
    assert "OCR" in without.items[0].reason
    with workspace.read() as conn:
        assert list_documents(conn)[0]["notes"]["pages_without_text_layer"] == [1]
    if tesseract_path() is None:
        pytest.skip("tesseract met Nederlands is niet geïnstalleerd")
    report = ingest(workspace, [scan], progress=False, force=True)
    assert report.items[0].status == Status.ok
    with workspace.read() as conn:
        text = " ".join(p["text"] for p in list_passages(conn)).lower()
        assert list_documents(conn)[0]["notes"]["ocr_pages"] == [1]
    assert "stroomuitval" in text and "gemeente" in text


@pytest.mark.slow
def test_giant_page_is_not_rendered_for_ocr(workspace: Workspace, tmp_path: Path) -> None:
    if tesseract_path() is None:
        pytest.skip("tesseract met Nederlands is niet geïnstalleerd")
    path = tmp_path / "reus-met-beeld.pdf"
    scanned_pdf(path, ["Grote pagina"], page_size=(14400, 14400))
    report = ingest(workspace, [path], progress=False)
    assert report.items[0].status == Status.no_text_layer
    with workspace.read() as conn:
        assert list_documents(conn)[0]["notes"]["pages_too_large_for_ocr"] == [1]


def test_char_cap_boundaries(workspace: Workspace, tmp_path: Path) -> None:
    paths = []
    for n in (49, 50, 51):
        p = tmp_path / f"tekens{n}.txt"
        p.write_text(("woord " * 20)[:n], encoding="utf-8")
        paths.append(p)
    report = ingest(workspace, paths, settings=load_settings(max_chars=50), progress=False)
    assert [i.status for i in report.items] == [Status.ok, Status.ok, Status.truncated]
    with workspace.read() as conn:
        stored = {
            len(p["text"]) for p in list_passages(conn, document_id=report.items[2].document_id)
        }
    assert max(stored) <= 50


def test_worker_is_replaced_after_its_files_also_with_files_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays flat over a long batch: after ``RECYCLE_AFTER`` files the worker
    finishes the files it has and a fresh one takes the next, even when the caller keeps
    files queued ahead; every file gets its result, in order."""
    from weerbaar.ingest import worker

    monkeypatch.setattr(worker, "RECYCLE_AFTER", 2)
    files = []
    for i in range(5):
        p = tmp_path / f"doc{i}.txt"
        p.write_text(f"Document {i} over de noodstroom van het gemeentehuis.", encoding="utf-8")
        files.append(p)
    with worker.ParsePool(load_settings(ocr=False)) as pool:
        jobs = [pool.submit(files[0], "text/plain")]
        results = []
        for f in files[1:]:
            jobs.append(pool.submit(f, "text/plain"))  # one queued ahead
            results.append(pool.result(jobs[len(results)]))
        results.append(pool.result(jobs[-1]))
        assert pool.children_started == 3
    assert [r["status"] for r in results] == ["ok"] * 5
    assert [f"Document {i} " in r["first_text"] for i, r in enumerate(results)] == [True] * 5
