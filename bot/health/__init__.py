"""Looking after a running installation: per-source run outcomes, the weekly health email to
curators, the alert when a source goes quiet or keeps failing, and ``exemplar status``."""
