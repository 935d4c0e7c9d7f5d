"""Where an index's files are: the names the reader and the builder share.

Kept apart from build.py so that opening an index (every `qa ask`) does not
import the builder and, through it, the corpus readers and jieba's
part-of-speech tables (~0.5 s of a cold start).
"""

from __future__ import annotations

from pathlib import Path

CURRENT = "current"  # the symlink naming the live generation
DB_FILE = "index.sqlite"
VECTORS_FILE = "vectors.faiss"
LEXICAL_DIR = "lexical"


def current_generation(index_dir: Path) -> Path | None:
    """The live generation folder, or None when the index has none."""
    link = index_dir / CURRENT
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None
