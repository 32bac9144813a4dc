"""X: recent search by hashtag, tweet lookups for re-checks, and posting threads."""
