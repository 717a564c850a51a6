"""The demo sources: text files under ``demo/bronnen/`` with a small header and a body in
a tiny subset of Markdown (headings, paragraphs, ``|`` tables, ``- `` lists and a
``[pagina]`` line for a page break)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from weerbaar.errors import WeerbaarError
from weerbaar.settings import environment

PAGE_BREAK = "[pagina]"
FORMATS = ("pdf", "docx", "html", "scan", "kapot")
HEADER_FIELDS = ("bestand", "organisatie", "soort", "jaar", "titel", "formaat")
FICTION_NOTE = (
    "Fictief document, geschreven voor de demonstratie van weerbaar. De organisatie, "
    "namen, locaties en cijfers zijn verzonnen."
)


class DemoDataError(WeerbaarError):
    """The demo sources are missing or malformed."""


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a document body: ``kind`` is h1/h2/h3/p/li/table/page."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    code: str
    name: str
    type: str
    region_code: str | None


@dataclass(slots=True)
class SourceDocument:
    """One demo document as written in ``demo/bronnen/``."""

    source: Path
    file_name: str
    organisation: str
    doc_type: str
    year: int
    title: str
    format: str
    blocks: list[Block] = field(default_factory=list)

    def pages(self) -> list[list[Block]]:
        """The body split at ``[pagina]`` markers."""
        pages: list[list[Block]] = [[]]
        for block in self.blocks:
            if block.kind == "page":
                pages.append([])
            else:
                pages[-1].append(block)
        return [p for p in pages if p]


def demo_dir() -> Path:
    """The ``demo/`` folder of the source tree (``WEERBAAR_DEMO_DIR`` overrides)."""
    env = environment("WEERBAAR_DEMO_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "demo"


def _split_row(line: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in line.strip().strip("|").split("|"))


def parse_body(text: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    table: list[tuple[str, ...]] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", " ".join(para)))
            para.clear()
        if table:
            blocks.append(Block("table", rows=tuple(table)))
            table.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line == PAGE_BREAK:
            flush()
            blocks.append(Block("page"))
        elif line.startswith("|"):
            if para:
                flush()
            row = _split_row(line)
            if all(set(cell) <= {"-", ":"} and cell for cell in row):
                continue  # the separator under the header row
            table.append(row)
        elif line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            blocks.append(Block(f"h{min(level, 3)}", line[level:].strip()))
        elif line.startswith("- "):
            flush()
            blocks.append(Block("li", line[2:].strip()))
        else:
            if table:
                flush()
            para.append(line)
    flush()
    return blocks


def parse_source(path: Path) -> SourceDocument:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise DemoDataError(f"{path.name}: de kopregels ontbreken (geen regel '---').")
    meta: dict[str, str] = {}
    for line in head.splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    missing = [f for f in HEADER_FIELDS if not meta.get(f)]
    if missing:
        raise DemoDataError(f"{path.name}: kopregels ontbreken: {', '.join(missing)}.")
    if meta["formaat"] not in FORMATS:
        raise DemoDataError(f"{path.name}: onbekend formaat {meta['formaat']!r}.")
    return SourceDocument(
        source=path,
        file_name=meta["bestand"],
        organisation=meta["organisatie"],
        doc_type=meta["soort"],
        year=int(meta["jaar"]),
        title=meta["titel"],
        format=meta["formaat"],
        blocks=parse_body(body),
    )


def load_sources(base: Path | None = None) -> list[SourceDocument]:
    folder = (base or demo_dir()) / "bronnen"
    files = sorted(folder.glob("*.md"))
    if not files:
        raise DemoDataError(f"Geen demobronnen gevonden in {folder}.")
    docs = [parse_source(f) for f in files]
    names = [d.file_name for d in docs]
    if len(set(names)) != len(names):
        raise DemoDataError("Twee demobronnen hebben dezelfde bestandsnaam.")
    return docs


def load_organisations(base: Path | None = None) -> list[DemoOrganisation]:
    path = (base or demo_dir()) / "organisaties.csv"
    if not path.is_file():
        raise DemoDataError(f"Bestand met demo-organisaties ontbreekt: {path}.")
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            DemoOrganisation(
                code=row["code"],
                name=row["naam"],
                type=row["soort"],
                region_code=row["regio"] or None,
            )
            for row in csv.DictReader(fh)
        ]
