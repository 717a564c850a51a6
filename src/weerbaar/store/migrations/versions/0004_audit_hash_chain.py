"""tamper-evident audit: hash chain on decision_log, audit_events, REPLACE refused

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:40:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SQLITE_GUARDS = (
    "CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} "
    "BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END",
    "CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} "
    "BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END",
    # INSERT OR REPLACE deletes the old row without firing delete triggers: refuse an
    # insert whose id is taken before the conflict is resolved
    "CREATE TRIGGER {t}_no_replace BEFORE INSERT ON {t} "
    "WHEN EXISTS (SELECT 1 FROM {t} WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END",
)


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.add_column("decision_log", sa.Column("actor", sa.String(length=100), nullable=True))
    op.add_column("decision_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    # chain the rows written before this revision (the guards are lifted meanwhile)
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS decision_log_no_update")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS decision_log_append_only ON decision_log")
    from weerbaar.store.audit import GENESIS, row_hash

    fields = ("decision_id", "passage_id", "measure_id", "reviewer", "actor", "action")
    rows = bind.execute(
        sa.text(
            "SELECT id, " + ", ".join(fields) + ", before, after, at FROM decision_log ORDER BY id"
        )
    ).mappings()
    previous = GENESIS
    updates = []
    for r in rows:
        values = dict(r)
        for key in ("before", "after"):
            if isinstance(values[key], str):
                values[key] = json.loads(values[key])
        previous = row_hash(previous, "decision_log", values)
        updates.append({"h": previous, "i": values["id"]})
    for u in updates:
        bind.execute(sa.text("UPDATE decision_log SET row_hash = :h WHERE id = :i"), u)
    if dialect == "sqlite":
        for table in ("decision_log", "audit_events"):
            for sql in _SQLITE_GUARDS:
                if table == "decision_log" and "_no_delete" in sql:
                    continue  # exists since revision 0003
                op.execute(sql.format(t=table))
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION weerbaar_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        for table in ("decision_log", "audit_events"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION weerbaar_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION weerbaar_append_only()"
            )


def downgrade() -> None:
    raise RuntimeError("weerbaar migrations are forward-only")
