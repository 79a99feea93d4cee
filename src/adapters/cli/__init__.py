"""The `hotline` command line: one module per command group."""
