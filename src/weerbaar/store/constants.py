"""Values of the stored data that the stages above use without a database: the parse
worker imports them without loading SQLAlchemy (see :mod:`weerbaar.store.documents`)."""

from __future__ import annotations

# Three newlines: no form feed in passage text (a web page draws it as a box); the same
# length as the earlier "\n\f\n", so stored offsets keep their meaning.
PAGE_SEPARATOR = "\n\n\n"

# Statuses (``weerbaar.ingest.Status``) of a document that was read, also partly: the
# only documents with text and passages. Every Python and SQL check uses this one.
READ_STATUSES: tuple[str, ...] = ("ok", "truncated")
