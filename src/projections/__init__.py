"""Read models derived from the event log, and their catch-up and rebuild."""
