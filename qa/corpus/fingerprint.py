"""A corpus folder's fingerprint: which files it holds and what they contain.

Recorded in the index at build time, so `qa info` can tell whether the folder
changed since.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SUFFIXES = frozenset({".txt"})


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Report files under corpus_dir, recursively, in path order."""
    return sorted(
        (p for p in corpus_dir.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()),
        key=lambda p: p.relative_to(corpus_dir).as_posix(),
    )


def corpus_fingerprint(corpus_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.relative_to(corpus_dir).as_posix().encode())
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()
