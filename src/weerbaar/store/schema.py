"""The workspace schema (SQLAlchemy Core). The only place tables are declared.

Every change here needs a new Alembic revision under ``store/migrations/versions``;
``tests/test_store_migrations.py`` fails when the migrations and this module differ.

Conventions: organisations are referred to by their code (``GM0363``, ``VR13``), measures
by catalogue id (``2.2``) plus the catalogue version they were judged against; times are
UTC ISO-8601 strings (portable between SQLite and PostgreSQL); lists and small objects
are JSON.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

# --------------------------------------------------------------------------- organisations
# Organisations known to this workspace beyond the built-in register (for example the
# fictional demo region, or a GHOR / water company). The built-in register lives in
# ``weerbaar.catalog``; look-ups consult both.
organisations = Table(
    "organisations",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(32), nullable=False),  # gemeente | veiligheidsregio | overig
    Column("region_code", String(32)),
    Column("fictional", Boolean, nullable=False, default=False),
    Column("created_at", String(32), nullable=False),
)

# Official wording of the measures, imported by the user from their own copy of the
# guidance (``weerbaar catalogus importeer``); shown beside our own descriptions.
official_texts = Table(
    "official_texts",
    metadata,
    Column("catalog_version", String(32), primary_key=True),
    Column("measure_id", String(16), primary_key=True),
    Column("text", Text, nullable=False),
    Column("source_name", Text, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("imported_at", String(32), nullable=False),
)

# --------------------------------------------------------------------------- ingest
ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("arguments", JSON),
    Column("counts", JSON),
)

# One row per distinct content (sha256) and per input that could not be hashed. Failed
# inputs get a row too, with status and a Dutch reason, so every input has one status.
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), unique=True),
    Column("organisation_code", String(32), index=True),
    Column("doc_type", String(32)),  # begroting | jaarstukken | risicoprofiel | ...
    Column("year", Integer),
    Column("title", Text),
    Column("source_url", Text),
    Column("woo_category", Text),
    Column("media_type", String(100)),
    Column("size_bytes", Integer),
    Column("pages", Integer, nullable=False, default=0),
    Column("status", String(32), nullable=False),  # ok | encrypted | corrupt | ...
    Column("reason", Text),  # Dutch explanation for any status but ok
    Column("notes", JSON),  # e.g. pages without text layer, truncated_at_page, encoding
    Column("inferred", JSON),  # which metadata was inferred, and how
    Column("stored_path", Text),  # relative to the workspace
    Column("extractor_version", String(64)),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

document_names = Table(
    "document_names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), index=True),
    Column("path", Text, nullable=False),  # as given by the user (display only)
    Column("name", Text, nullable=False),
    Column("first_seen_at", String(32), nullable=False),
    UniqueConstraint("document_id", "path"),
)

# Page text as stored; a document's text is the pages joined by PAGE_SEPARATOR and each
# page's ``doc_start`` is its offset in that text.
pages = Table(
    "pages",
    metadata,
    Column(
        "document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("page_no", Integer, primary_key=True),  # 1-based
    Column("doc_start", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("method", String(16), nullable=False, default="text"),  # text | ocr | none
)

passages = Table(
    "passages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("page_start", Integer, nullable=False),
    Column("page_end", Integer, nullable=False),
    Column("char_start", Integer, nullable=False),  # offsets in the document text
    Column("char_end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("heading", Text),  # heading path, " > " separated
    Column("kind", String(16), nullable=False, default="tekst"),  # tekst | tabel | lijst
    Column("text_hash", String(64), nullable=False),
    Column("words", Integer, nullable=False),
    UniqueConstraint("document_id", "char_start", "char_end"),
    Index("ix_passages_document_seq", "document_id", "seq"),
    Index("ix_passages_text_hash", "text_hash"),
)

# --------------------------------------------------------------------------- search
# Dense vectors per passage and model (float32 or float16 bytes).
passage_vectors = Table(
    "passage_vectors",
    metadata,
    Column("passage_id", Integer, ForeignKey("passages.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(64), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

scan_runs = Table(
    "scan_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("catalog_version", String(32), nullable=False),
    Column("method", String(64), nullable=False),  # e.g. weerbaar.hybrid.v1
    Column("params", JSON),
    Column("training_size", Integer, nullable=False, default=0),
    # The highest passage id this scan read: passages stored later (also during the
    # scan) have a higher id, so they count as not yet scanned.
    Column("max_passage_id", Integer),
)

# What the scans covered, per organisation and measure: the highest passage id read for
# it. A measure of an organisation whose newest read passage has a higher id is "not yet
# scanned" (the assessment says "Nog niet beoordeeld" instead of Laag).
scan_coverage = Table(
    "scan_coverage",
    metadata,
    Column("catalog_version", String(32), primary_key=True),
    Column("organisation_code", String(32), primary_key=True),
    Column("measure_id", String(16), primary_key=True),
    Column("scan_run_id", Integer, ForeignKey("scan_runs.id", ondelete="SET NULL")),
    Column("max_passage_id", Integer, nullable=False),
    Column("at", String(32), nullable=False),
)

# Work shared by parallel workers (``store/work.py``): the items of a job (``queue``,
# e.g. one scan run's organisations), claimed with SELECT ... FOR UPDATE SKIP LOCKED.
work_items = Table(
    "work_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("queue", String(100), nullable=False),
    Column("item", String(200), nullable=False),
    Column("state", String(16), nullable=False),  # open | bezig (SQLite lease) | klaar
    Column("worker", String(200)),  # host:pid of the last worker
    Column("attempts", Integer, nullable=False, default=0),
    Column("updated_at", String(32), nullable=False),
    UniqueConstraint("queue", "item"),
    Index("ix_work_items_queue_state", "queue", "state"),
)

# The review queue: candidate passages per measure (and organisation, via the document).
candidates = Table(
    "candidates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scan_run_id", Integer, ForeignKey("scan_runs.id", ondelete="SET NULL")),
    Column("organisation_code", String(32), nullable=False),
    Column("catalog_version", String(32), nullable=False),
    Column("measure_id", String(16), nullable=False),
    Column("passage_id", Integer, ForeignKey("passages.id", ondelete="CASCADE"), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("stage_suggested", String(16)),  # voornemen | plan | uitvoering | evaluatie
    Column("method", String(64), nullable=False),
    Column("updated_at", String(32), nullable=False),
    UniqueConstraint("catalog_version", "measure_id", "passage_id"),
    Index("ix_candidates_queue", "organisation_code", "measure_id", "rank"),
    Index("ix_candidates_passage", "passage_id"),  # review: a passage's queue rows
)

# The counts of every review queue, kept up to date by each write that changes them
# (``store/queue_summary.py``), so pages read them instead of counting the whole queue:
# candidates, reviewed (candidates with any decision) and relevant (candidates some
# decision marks ``ja``). A queue without candidates has no row.
queue_summary = Table(
    "queue_summary",
    metadata,
    Column("catalog_version", String(32), primary_key=True),
    Column("organisation_code", String(32), primary_key=True),
    Column("measure_id", String(16), primary_key=True),
    Column("candidates", Integer, nullable=False),
    Column("reviewed", Integer, nullable=False),
    Column("relevant", Integer, nullable=False),
    Index("ix_queue_summary_organisation", "organisation_code"),
)

# --------------------------------------------------------------------------- accounts
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),  # beheerder | beoordelaar | lezer
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(32), nullable=False),
)

# Organisations a user may see; no rows means all organisations (beheerder, or a
# reviewer of the whole inventory).
user_organisations = Table(
    "user_organisations",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_code", String(32), primary_key=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

# --------------------------------------------------------------------------- review
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("passage_id", Integer, ForeignKey("passages.id", ondelete="CASCADE"), nullable=False),
    Column("catalog_version", String(32), nullable=False),
    Column("measure_id", String(16), nullable=False),
    Column("reviewer", String(100), nullable=False),  # user name
    Column("source_ok", Boolean),  # juist: passage matches its source
    Column("relevant", String(16), nullable=False),  # ja | nee | andere
    Column("other_measure_id", String(16)),
    Column("context_ok", Boolean),
    Column("stage", String(16)),
    Column("aspects", JSON),  # list of aspect ids evidenced
    Column("comment", Text),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    UniqueConstraint("passage_id", "catalog_version", "measure_id", "reviewer"),
    Index("ix_decisions_measure", "measure_id"),
)

# Append-only: one row per change to a decision (insert, update, delete, undo).
decision_log = Table(
    "decision_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", Integer),
    Column("passage_id", Integer, nullable=False),
    Column("measure_id", String(16), nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("action", String(16), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("at", String(32), nullable=False),
    # who wrote the row when it is not the reviewer (an administrator's import)
    Column("actor", String(100)),
    Column("row_hash", String(64)),  # hash chain, see weerbaar.store.audit
)

# Audit events outside the decision log: organisation moves of documents, imports.
# Append-only and hash-chained like the decision log.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("details", JSON),
    Column("row_hash", String(64)),
)

# Team work (issue 14): which organisations/measures a reviewer works on, which passages
# get a second, independent review, and the curator's settlement of a disagreement.
review_assignments = Table(
    "review_assignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reviewer", String(100), nullable=False),
    Column("organisation_code", String(32), nullable=False),
    Column("measure_id", String(16)),  # None: every measure of the organisation
    Column("priority", Integer, nullable=False, default=0),  # lower first
    Column("assigned_by", String(100), nullable=False),
    Column("at", String(32), nullable=False),
    UniqueConstraint("reviewer", "organisation_code", "measure_id"),
)

double_reviews = Table(
    "double_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("passage_id", Integer, ForeignKey("passages.id", ondelete="CASCADE"), nullable=False),
    Column("catalog_version", String(32), nullable=False),
    Column("measure_id", String(16), nullable=False),
    Column("first_reviewer", String(100), nullable=False),
    Column("reviewer", String(100), nullable=False),  # the second reviewer
    Column("assigned_by", String(100), nullable=False),
    Column("at", String(32), nullable=False),
    UniqueConstraint("passage_id", "catalog_version", "measure_id", "reviewer"),
    Index("ix_double_reviews_reviewer", "reviewer"),
)

# The curator's final decision is an ordinary decision row under the curator's name;
# this row says it settles the others (which are kept) for that passage and measure.
curations = Table(
    "curations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("passage_id", Integer, ForeignKey("passages.id", ondelete="CASCADE"), nullable=False),
    Column("catalog_version", String(32), nullable=False),
    Column("measure_id", String(16), nullable=False),
    Column("curator", String(100), nullable=False),
    Column("originals", JSON, nullable=False),  # the settled decisions as they were
    Column("at", String(32), nullable=False),
    UniqueConstraint("passage_id", "catalog_version", "measure_id"),
)

# Failed logins, in the database so that throttling holds across worker processes.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name_key", String(100), nullable=False),
    Column("at", Float, nullable=False),  # seconds since the epoch
    Index("ix_login_failures_name", "name_key", "at"),
)

# --------------------------------------------------------------------------- assess
score_overrides = Table(
    "score_overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_code", String(32), nullable=False),
    Column("catalog_version", String(32), nullable=False),
    Column("measure_id", String(16), nullable=False),
    Column("computed_score", String(16)),
    Column("score", String(16), nullable=False),  # Hoog | Midden | Laag
    Column("justification", Text, nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("at", String(32), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

# --------------------------------------------------------------------------- self-assessment
self_assessments = Table(
    "self_assessments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_code", String(32), nullable=False),
    Column("catalog_version", String(32), nullable=False),
    Column("measure_id", String(16), nullable=False),
    Column("status", String(32), nullable=False),
    Column("owner", Text),
    Column("partners", JSON),
    Column("phases", JSON),
    Column("deadline", String(10)),
    Column("evidence", JSON),  # [{"document_id": 3} | {"url": "..."}]
    Column("notes", Text),
    Column("origin", String(16), nullable=False, default="handmatig"),  # scan | handmatig | import
    Column("updated_by", String(100)),
    Column("updated_at", String(32), nullable=False),
    UniqueConstraint("organisation_code", "catalog_version", "measure_id"),
)

self_assessment_history = Table(
    "self_assessment_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_code", String(32), nullable=False, index=True),
    Column("measure_id", String(16), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("by", String(100)),
    Column("at", String(32), nullable=False),
)

self_assessment_settings = Table(
    "self_assessment_settings",
    metadata,
    Column("organisation_code", String(32), primary_key=True),
    Column("published", Boolean, nullable=False, default=False),
    Column("card_text", Text),  # handelingsperspectief on the meterkastkaart
    Column("updated_at", String(32), nullable=False),
)

noodsteunpunten = Table(
    "noodsteunpunten",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_code", String(32), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("wijk", Text, nullable=False),
    Column("functions", JSON),  # informatie | water | stroom | ehbo | warmte | ...
    Column("notes", Text),
    Column("updated_at", String(32), nullable=False),
)

role_matrix = Table(
    "role_matrix",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region_code", String(32), nullable=False),
    Column("organisation_code", String(32), nullable=False),
    Column("measure_id", String(16), nullable=False),
    Column("responsible", String(32)),  # gemeente | veiligheidsregio | samen | anders
    Column("supporting", String(32)),
    Column("agreed", Boolean, nullable=False, default=False),
    Column("agreed_on", String(10)),
    Column("notes", Text),
    Column("updated_at", String(32), nullable=False),
    UniqueConstraint("organisation_code", "measure_id"),
)
