"""Renderers: a :class:`~digests.model.Digest` in, text out (thread parts, plain text, JSON, email).

Pure functions. Post content is untrusted: sanitised with nh3 wherever it becomes HTML, shown as plain
text everywhere else, and never turned into an @-mention.
"""
