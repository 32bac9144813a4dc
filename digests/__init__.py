"""Weekly exemplar digests: selection, rendering and publishing."""
