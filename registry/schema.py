"""Applying and inspecting the versioned migrations in registry/migrations."""

from pathlib import Path

from playhouse.migrations import Runner

from registry.db import db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def runner() -> Runner:
    return Runner(db.obj, directory=str(MIGRATIONS_DIR))


def upgrade() -> list[str]:
    """Apply every pending migration; returns the names applied (none when current)."""
    return runner().up()


def pending() -> list[str]:
    return [m.name for m in runner().status() if m.applied is None]


def is_current() -> bool:
    return not pending()
