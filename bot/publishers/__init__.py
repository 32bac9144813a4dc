"""Posting digest threads: one module per network, each a :class:`digests.publish.thread.ThreadPoster`."""
