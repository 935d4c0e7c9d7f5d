"""Adding files to and taking them out of a corpus folder (`qa add`, `qa remove`)."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

from qa.corpus.fingerprint import SUFFIXES
from qa.corpus.metadata import sidecar_path
from qa.errors import QAError


def _same_content(a: Path, b: Path) -> bool:
    return hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def add_files(corpus_dir: Path, files: list[Path]) -> list[Path]:
    """Copy files into corpus_dir; all are checked before any is copied."""
    for f in files:
        if not f.is_file():
            raise QAError(f"{f} is not a file")
        if f.suffix.lower() not in SUFFIXES:
            raise QAError(
                f"{f.name}: qa reads {', '.join(sorted(SUFFIXES))} files, not {f.suffix or 'files without a suffix'}"
            )
        target = corpus_dir / f.name
        if target.exists() and not _same_content(f, target):
            raise QAError(f"{target} already exists with other content; rename {f.name} and add it again")
    corpus_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for f in files:
        # A report's metadata sidecar (NAME.meta.json) travels with it.
        for source in (f, sidecar_path(f)):
            target = corpus_dir / source.name
            if source.is_file() and not target.exists():
                shutil.copy2(source, target)
                copied.append(target)
    return copied


def remove_file(corpus_dir: Path, source: str, keep_dir: Path) -> Path:
    """Move corpus_dir/source into keep_dir (so it can be put back) and return where it went."""
    path = corpus_dir / source
    if not path.is_file():
        raise QAError(f"{path} is no longer in the corpus folder")
    keep_dir.mkdir(parents=True, exist_ok=True)
    kept = keep_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.name}"
    shutil.move(path, kept)
    return kept
