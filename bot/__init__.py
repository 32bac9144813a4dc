"""Exemplar: a hashtag curation bot for education communities."""

import sys

__version__ = "0.1.0"

# On import, httpx tries to load its command-line tool (click, pygments, rich), giving up only at the
# first that is missing; Exemplar never runs it. Marked absent, it is not tried: that saves a few tens
# of milliseconds of every command wherever pygments is installed (it comes with the test tools).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
