"""Corpus folder → passages → embeddings → a new index generation, swapped in atomically.

An index folder holds generations (`gen-…/`: index.sqlite, vectors.faiss,
lexical/) and a `current` symlink naming the live one. A build writes a new
generation beside the live one and then replaces the symlink with a rename,
so a reader sees the old index or the new one, never a mix; a build that dies
leaves only an unreferenced folder, removed by the next build.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from qa.config import CHUNKING_VERSION
from qa.corpus import SkippedFile, load_corpus, passages_for
from qa.corpus.fingerprint import corpus_fingerprint
from qa.errors import QAError
from qa.index.lexical import LexicalIndex, tokenize
from qa.index.store import Manifest, Store, text_hash
from qa.index.vectors import build_vector_index, save_vector_index
from qa.types import Document, Passage

CURRENT = "current"
DB_FILE = "index.sqlite"
VECTORS_FILE = "vectors.faiss"
LEXICAL_DIR = "lexical"
LOCK_FILE = ".lock"

# (stage, done, total): stages are "read", "embed", "write".
BuildProgress = Callable[[str, int, int], None]


class IndexBusy(QAError):
    pass


@dataclass
class BuildReport:
    index_dir: Path
    documents: int = 0
    passages: int = 0
    embedded: int = 0  # passages embedded by this build
    reused: int = 0  # passages whose vectors came from the previous index
    skipped: list[SkippedFile] = field(default_factory=list)
    seconds: float = 0.0


def indexed_text(doc: Document, passage: Passage) -> str:
    """What retrieval sees of a passage: the document's title and the section
    name give every paragraph its place, year and topic."""
    return f"{doc.title} {passage.section}\n{passage.text}"


def current_generation(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    with open(index_dir / LOCK_FILE, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"another `qa index` is building {index_dir}; wait for it to finish") from None
        yield


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _previous_vectors(index_dir: Path, model_id: str, dim: int, hashes: list[str]) -> dict[str, np.ndarray]:
    """Vectors of unchanged passage texts from the live index, if it used the same model."""
    generation = current_generation(index_dir)
    if generation is None:
        return {}
    try:
        store = Store(generation / DB_FILE)
        try:
            manifest = store.manifest()
            if manifest.model_id != model_id or manifest.dim != dim:
                return {}
            return store.vectors_by_hash(hashes, dim)
        finally:
            store.close()
    except QAError:
        return {}  # a damaged old index only means nothing is reused


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    load_encoder: Callable[[], "Encoder"],  # noqa: F821 — imported lazily, it pulls in torch
    *,
    model_id: str,
    dim: int,
    progress: BuildProgress = lambda stage, done, total: None,
) -> BuildReport:
    """Index every report in corpus_dir into index_dir; returns what was done."""
    started = time.perf_counter()
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise QAError(f"cannot create index folder {index_dir}: {error.strerror}") from None
    if not os.access(index_dir, os.W_OK):
        raise QAError(f"index folder {index_dir} is not writable; choose another with --index-dir")

    with build_lock(index_dir):
        # Taken before reading, so a file changed mid-build shows as a change later.
        fingerprint = corpus_fingerprint(corpus_dir) if corpus_dir.is_dir() else ""
        corpus = load_corpus(corpus_dir)
        report = BuildReport(index_dir, documents=len(corpus.documents), skipped=corpus.skipped)
        pairs = [(doc, p) for doc in corpus.documents for p in passages_for(doc)]
        progress("read", len(corpus.documents), len(corpus.documents))
        texts = [indexed_text(doc, p) for doc, p in pairs]
        hashes = [text_hash(p.text) for _, p in pairs]

        vectors = np.zeros((len(pairs), dim), np.float32)
        reused = _previous_vectors(index_dir, model_id, dim, hashes)
        missing = [i for i, h in enumerate(hashes) if h not in reused]
        for i, h in enumerate(hashes):
            if h in reused:
                vectors[i] = reused[h]
        if missing:
            encoder = load_encoder()
            done = 0

            def advance(n: int) -> None:
                nonlocal done
                done += n
                progress("embed", done, len(missing))

            progress("embed", 0, len(missing))
            vectors[missing] = encoder.encode_passages([texts[i] for i in missing], progress=advance)
        report.passages, report.embedded, report.reused = len(pairs), len(missing), len(pairs) - len(missing)

        progress("write", 0, 1)
        generation = _write_generation(
            index_dir, corpus.documents, pairs, texts, vectors, corpus_dir, fingerprint, model_id, dim
        )
        _swap_in(index_dir, generation)
        progress("write", 1, 1)
    report.seconds = time.perf_counter() - started
    return report


def _write_generation(
    index_dir: Path,
    documents: list[Document],
    pairs: list[tuple[Document, Passage]],
    texts: list[str],
    vectors: np.ndarray,
    corpus_dir: Path,
    fingerprint: str,
    model_id: str,
    dim: int,
) -> Path:
    # Leftovers of builds that died are never referenced by `current`.
    live = current_generation(index_dir)
    for old in index_dir.glob("gen-*"):
        if old != live:
            shutil.rmtree(old, ignore_errors=True)

    generation = index_dir / f"gen-{time.time_ns()}"
    generation.mkdir()
    save_vector_index(build_vector_index(vectors), generation / VECTORS_FILE)
    LexicalIndex.build([tokenize(t) for t in texts]).save(generation / LEXICAL_DIR)

    store = Store(generation / DB_FILE, create=True)
    try:
        store.add_documents(documents)
        store.add_passages([p for _, p in pairs], vectors, first_row=0)
        store.write_manifest(
            Manifest(
                model_id=model_id,
                dim=dim,
                chunking_version=CHUNKING_VERSION,
                corpus_fingerprint=fingerprint,
                corpus_dir=str(corpus_dir.resolve()),
                built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                documents=len(documents),
                passages=len(pairs),
                vectors_sha256=sha256_file(generation / VECTORS_FILE),
            )
        )
    finally:
        store.close()
    for path in [generation, *generation.rglob("*")]:
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    return generation


def _swap_in(index_dir: Path, generation: Path) -> None:
    previous = current_generation(index_dir)
    staged_link = index_dir / f".{CURRENT}.{os.getpid()}"
    staged_link.unlink(missing_ok=True)
    staged_link.symlink_to(generation.name)
    os.replace(staged_link, index_dir / CURRENT)  # the atomic step
    dir_fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    if previous is not None and previous != generation:
        shutil.rmtree(previous, ignore_errors=True)
