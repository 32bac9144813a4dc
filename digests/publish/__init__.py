"""Publishing digests: the only I/O in ``digests``, each with its exactly-once log."""
