"""decision log append-only: triggers refuse UPDATE and DELETE on decision_log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 19:42:00
"""

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER decision_log_no_update BEFORE UPDATE ON decision_log "
            "BEGIN SELECT RAISE(ABORT, 'decision_log is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER decision_log_no_delete BEFORE DELETE ON decision_log "
            "BEGIN SELECT RAISE(ABORT, 'decision_log is append-only'); END"
        )
    elif bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION decision_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'decision_log is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER decision_log_append_only BEFORE UPDATE OR DELETE ON decision_log "
            "FOR EACH ROW EXECUTE FUNCTION decision_log_append_only()"
        )


def downgrade() -> None:
    raise RuntimeError("weerbaar migrations are forward-only")
