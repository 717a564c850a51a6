"""Developer tool: autogenerate the next Alembic revision from store/schema.py.

Usage: .venv/bin/python scripts/new_migration.py "short description"
Builds a scratch SQLite database at the current head, compares it with the schema and
writes a new revision file into src/weerbaar/store/migrations/versions/. Review it.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from weerbaar.store.migrate import alembic_config


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'scratch.sqlite'}")
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            versions = (
                Path(__file__).resolve().parents[1] / "src/weerbaar/store/migrations/versions"
            )
            n = len(list(versions.glob("*.py"))) + 1
            command.revision(
                cfg,
                message=message,
                autogenerate=True,
                rev_id=f"{n:04d}",
                version_path=str(versions),
            )


if __name__ == "__main__":
    main()
