"""Setting Exemplar up and keeping an eye on it: ``exemplar init`` and ``exemplar check``."""
