"""Exemplar's storage: SQLAlchemy models, sessions, repository functions and migrations."""
