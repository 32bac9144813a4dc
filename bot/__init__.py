"""Exemplar: a hashtag curation bot for education communities."""

__version__ = "0.1.0"
