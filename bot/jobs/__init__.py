"""Jobs: the units of work the CLI and the scheduler run (collect, then store)."""
