"""`python -m qa` is the `qa` command."""

from qa.cli import app

app(prog_name="qa")
