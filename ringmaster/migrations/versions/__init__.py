"""Alembic revisions, one file each (see docs/migrations.md)."""
