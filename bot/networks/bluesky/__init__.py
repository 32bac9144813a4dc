"""Bluesky: post search by hashtag, post lookups for re-checks, and posting threads."""
