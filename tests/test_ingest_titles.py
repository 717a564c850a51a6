"""A human title from the heading of a note, memo or letter ("Titel:", "Onderwerp:",
"Betreft"), before the PDF's properties and the file name: on files made here and on the
real notes and letters of ../shared/realpdfs (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from weerbaar.ingest import ingest
from weerbaar.ingest.metadata import title_from_label
from weerbaar.settings import load_settings
from weerbaar.store import Workspace
from weerbaar.store.documents import list_documents

BODY = (
    "De veiligheidsregio bespreekt met de gemeenten hoe de noodsteunpunten in de wijken "
    "bij een langdurige stroomuitval open kunnen gaan."
)


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("Aan: het bestuur\nTitel: inventarisatie van de noodsteunpunten", None),
        ("Datum 11 september 2020 Betreft Aanvullende afspraken noodstroom", None),
        ("Titel en inhoud\nTitel\nNotitie over drinkwater bij uitval", None),
        ("Onderwerp: Geef hier in vijf woorden het onderwerp. Pas op: geen besluit.", "-"),
        ("Titel en inhoud van de notitie volgen later", "-"),
        ("Het college betreft deze zaak niet", "-"),
    ],
)
def test_title_from_the_heading_lines(head: str, title: str | None) -> None:
    found = title_from_label(f"{head}\n\n{BODY}")
    expected = {
        "Aan: het bestuur\nTitel: inventarisatie van de noodsteunpunten": (
            "inventarisatie van de noodsteunpunten"
        ),
        "Datum 11 september 2020 Betreft Aanvullende afspraken noodstroom": (
            "Aanvullende afspraken noodstroom"
        ),
        "Titel en inhoud\nTitel\nNotitie over drinkwater bij uitval": (
            "Notitie over drinkwater bij uitval"
        ),
    }
    assert found == (None if title == "-" else expected[head])


def test_ingested_letter_is_titled_by_its_subject_not_its_file_name(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "memo_v3_definitief.txt"
    path.write_text(
        f"Gemeente Voorbeeld\n\nDatum: 3 maart 2025\n\nBetreft: Oefening stroomuitval najaar\n\n"
        f"{BODY}\n",
        encoding="utf-8",
    )
    ingest(workspace, [path], progress=False)
    with workspace.read() as conn:
        (doc,) = list_documents(conn)
    assert doc["title"] == "Oefening stroomuitval najaar"
    assert doc["inferred"]["title"]["how"] == "titel of onderwerp in de kop"


@pytest.mark.slow
def test_real_notes_and_letters_have_their_own_titles(workspace: Workspace, realpdfs: Path) -> None:
    names = {
        "014_vws_notitie-acc19_2020.pdf": "inventarisatie van regionale en landelijke",
        "017_vws_brief-aan-veiligheidsregios_2020.pdf": "Aanvullende aanwijzing leerling-",
    }
    ingest(
        workspace,
        [realpdfs / n for n in names],
        progress=False,
        settings=load_settings(ocr=False),
    )
    with workspace.read() as conn:
        titles = sorted(d["title"] for d in list_documents(conn))
    assert [t.split()[0] for t in titles] == ["Aanvullende", "inventarisatie"], titles
    for start in names.values():
        assert any(t.startswith(start) for t in titles), titles
