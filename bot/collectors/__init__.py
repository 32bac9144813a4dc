"""Collectors: fetch pages from a network and normalise them. They never write to the database."""
