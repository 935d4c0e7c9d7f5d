"""The terminal UI: `qa` with no command opens it."""
