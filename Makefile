# The two quick-start commands: `make demo` and `make test`. Both set everything up first.
.PHONY: demo test lint check bootstrap bench

bootstrap:
	scripts/bootstrap

demo: bootstrap
	.venv/bin/exemplar demo

test:
	scripts/test

lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

check: lint test

bench: bootstrap
	.venv/bin/python benchmarks/ingest.py
