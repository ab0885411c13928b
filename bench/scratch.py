"""A scratch application on a temporary SQLite database, shared by the benchmarks."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def scratch_app(folder: Path, database: Path, **settings):
    """The registry on the given SQLite file, its instance folder under folder."""
    from registry import create_app
    from registry.settings import load_settings

    return create_app(load_settings(
        environ={}, env="testing", instance_path=folder / "instance",
        database_url=f"sqlite:///{database}", secret_key="b" * 40, audit_key="a" * 40,
        **settings))


@contextmanager
def migrated_app(**settings) -> Iterator:
    """A fresh migrated database in a temporary folder: the app, in its context, connected."""
    from registry import schema
    from registry.db import db

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        app = scratch_app(tmp, tmp / "bench.sqlite3", **settings)
        with app.app_context():
            db.connect()
            schema.upgrade()
            try:
                yield app
            finally:
                db.close()
