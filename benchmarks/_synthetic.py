"""Shared pieces of the synthetic workspaces of the speed benchmarks (not a benchmark
itself: ``make bench`` runs the files without a leading underscore)."""

from __future__ import annotations

# Words of the generated passages: topic words of the domain and everyday municipal words,
# so that the lexical index and the scan see text of a realistic shape.
BASE_WORDS = [
    "gemeente",
    "noodsteunpunt",
    "stroomuitval",
    "drinkwater",
    "veiligheidsregio",
    "oefening",
    "plan",
    "inwoners",
    "crisis",
    "communicatie",
    "evacuatie",
    "zorg",
    "continuïteit",
    "voorraad",
    "aggregaat",
    "wijk",
    "vrijwilligers",
    "partners",
    "bevolkingszorg",
    "risico",
    "begroting",
    "uitvoering",
    "evaluatie",
]
