"""The one exception type the CLI and TUI turn into a one-line message."""


class QAError(Exception):
    """A failure the user can act on; str(error) says what to do."""
