"""Persistence: SQLAlchemy 2.0 tables over one SQLite file, migrated by Alembic."""
