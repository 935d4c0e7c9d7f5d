"""`python -m qa` is the `qa` command."""

from qa.cli import app

# Guarded: a build's word processes are spawned, and each imports the main module anew.
if __name__ == "__main__":
    app(prog_name="qa")
