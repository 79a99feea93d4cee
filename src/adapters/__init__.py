"""Adapters: storage, import and export, report rendering, the command line."""
