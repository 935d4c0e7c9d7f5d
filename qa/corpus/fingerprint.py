"""A corpus folder's fingerprint: which files it holds and what they contain.

Recorded in the index at build time, so `qa info` can tell whether the folder
changed since.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from qa.corpus.metadata import sidecar_path
from qa.corpus.readers import READERS

SUFFIXES = frozenset(READERS)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Report files under corpus_dir, recursively, in path order. A link whose
    target is gone is listed too, so that loading reports it rather than
    dropping it unseen."""
    return sorted(
        (
            p
            for p in corpus_dir.rglob("*")
            if p.suffix.lower() in SUFFIXES and (p.is_file() or (p.is_symlink() and not p.exists()))
        ),
        key=lambda p: p.relative_to(corpus_dir).as_posix(),
    )


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Paths and contents of the reports and of such sidecar files as exist."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        sidecar = sidecar_path(path)
        for file in (path, sidecar) if sidecar.exists() else (path,):
            digest.update(file.relative_to(corpus_dir).as_posix().encode())
            try:
                digest.update(hashlib.sha256(file.read_bytes()).digest())
            except OSError:
                digest.update(b"unreadable")
    return digest.hexdigest()
