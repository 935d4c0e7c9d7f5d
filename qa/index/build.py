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
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from qa.config import CHUNKING_VERSION, Settings
from qa.corpus import SkippedFile, load_corpus, passages_for
from qa.corpus.fingerprint import corpus_fingerprint
from qa.errors import QAError
from qa.index.layout import CURRENT, DB_FILE, LEXICAL_DIR, VECTORS_FILE, current_generation
from qa.index.lexical import LexicalIndex, tokenize
from qa.index.store import IndexCorrupt, Manifest, Store, text_hash
from qa.index.vectors import build_vector_index, save_vector_index
from qa.types import Document, Passage

LOCK_FILE = ".lock"

# (stage, done, total): stages are "read", "embed", "words" (BM25), "write".
BuildProgress = Callable[[str, int, int], None]


class IndexBusy(QAError):
    pass


class IndexMismatch(QAError):
    pass


@dataclass
class BuildReport:
    index_dir: Path
    documents: int = 0
    passages: int = 0
    embedded: int = 0  # passages embedded by this build (or to embed, when dry)
    reused: int = 0  # passages whose vectors came from the previous index
    added: list[str] = field(default_factory=list)  # sources, relative to the corpus folder
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0


def indexed_text(doc: Document, passage: Passage) -> str:
    """What retrieval sees of a passage: the document's title and the section
    name give every paragraph its place, year and topic."""
    return f"{doc.title} {passage.section}\n{passage.text}"


@contextmanager
def build_lock(index_dir: Path, dry_run: bool = False) -> Iterator[None]:
    """One build at a time per index folder (a dry run only reads, and takes no lock)."""
    if dry_run:
        yield
        return
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


@dataclass
class _Previous:
    """What the live index holds, as far as a new build can use it."""

    sources_by_hash: dict[str, str] = field(default_factory=dict)  # content hash → source
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # embedded-text hash → vector


def _previous(index_dir: Path, model_id: str, dim: int, hashes: list[str], rebuild: bool) -> _Previous:
    """The live index's documents and reusable vectors; refuses to mix models or chunkings."""
    generation = current_generation(index_dir)
    if generation is None:
        return _Previous()
    try:
        store = Store(generation / DB_FILE)
        try:
            manifest = store.manifest()
            sources = {d.content_hash: d.source for d in store.documents()}
            if rebuild:
                return _Previous(sources)
            if (manifest.model_id, manifest.dim, manifest.chunking_version) != (model_id, dim, CHUNKING_VERSION):
                raise IndexMismatch(
                    f"the index in {index_dir} was built with {manifest.model_id} ({manifest.dim}-dim, "
                    f"chunking v{manifest.chunking_version}), not {model_id} ({dim}-dim, chunking "
                    f"v{CHUNKING_VERSION}); run `qa index --rebuild`"
                )
            return _Previous(sources, store.vectors_by_hash(hashes, dim))
        finally:
            store.close()
    except IndexCorrupt:
        return _Previous()  # a damaged old index is simply replaced


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    load_encoder: Callable[[], Encoder],  # noqa: F821 — imported lazily, it pulls in torch
    *,
    model_id: str,
    dim: int,
    rebuild: bool = False,
    dry_run: bool = False,
    progress: BuildProgress = lambda stage, done, total: None,
) -> BuildReport:
    """Bring index_dir up to date with corpus_dir; returns what was (or, dry, would be) done.

    `rebuild` re-embeds everything; `dry_run` writes nothing and loads no model.
    """
    started = time.perf_counter()
    if not dry_run:
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise QAError(f"cannot create index folder {index_dir}: {error.strerror}") from None
        if not os.access(index_dir, os.W_OK):
            raise QAError(f"index folder {index_dir} is not writable; choose another with --index-dir")

    with build_lock(index_dir, dry_run):
        # Taken before reading, so a file changed mid-build shows as a change later.
        fingerprint = corpus_fingerprint(corpus_dir) if corpus_dir.is_dir() else ""
        corpus = load_corpus(corpus_dir)
        pairs = [(doc, p) for doc in corpus.documents for p in passages_for(doc)]
        progress("read", len(corpus.documents), len(corpus.documents))
        texts = [indexed_text(doc, p) for doc, p in pairs]
        hashes = [text_hash(t) for t in texts]
        previous = _previous(index_dir, model_id, dim, hashes, rebuild)
        missing = [i for i, h in enumerate(hashes) if h not in previous.vectors]
        report = _changes(index_dir, corpus.documents, previous.sources_by_hash)
        report.skipped, report.dry_run = corpus.skipped, dry_run
        report.passages, report.embedded, report.reused = len(pairs), len(missing), len(pairs) - len(missing)
        if dry_run:
            report.seconds = time.perf_counter() - started
            return report

        vectors = np.zeros((len(pairs), dim), np.float32)
        for i, h in enumerate(hashes):
            if h in previous.vectors:
                vectors[i] = previous.vectors[h]
        if missing:
            encoder = load_encoder()
            done = 0

            def advance(n: int) -> None:
                nonlocal done
                done += n
                progress("embed", done, len(missing))

            progress("embed", 0, len(missing))
            vectors[missing] = encoder.encode_passages([texts[i] for i in missing], progress=advance)

        progress("write", 0, 1)
        generation = _write_generation(
            index_dir,
            corpus.documents,
            pairs,
            texts,
            hashes,
            vectors,
            corpus_dir,
            fingerprint,
            model_id,
            dim,
            progress,
        )
        _swap_in(index_dir, generation)
        progress("write", 1, 1)
    report.seconds = time.perf_counter() - started
    return report


def model_identity(settings: Settings) -> tuple[str, int]:
    """The configured model's id and dimension, from its manifest, without loading it."""
    from qa.model.convert import read_manifest

    manifest = read_manifest(settings.resolved_model_dir)
    if manifest is not None:
        return manifest.model_id, manifest.dim
    if settings.model_dir is None:
        raise QAError("the embedding model is not prepared; run `qa model prepare`")
    from qa.model.encoder import Encoder

    encoder = Encoder(settings.model_dir)  # a user's own folder: loading it is the way to learn
    return encoder.model_id, encoder.dim


def update_index(
    settings: Settings,
    *,
    rebuild: bool = False,
    dry_run: bool = False,
    progress: BuildProgress = lambda stage, done, total: None,
) -> BuildReport:
    """build_index for the configured corpus, index folder and model (the model
    is loaded only if some passage needs embedding)."""
    from qa.index.corpus_folder import corpus_dir  # it reads the live index through this module

    def load_encoder():
        from qa.model.encoder import Encoder

        return Encoder(settings.resolved_model_dir)

    model_id, dim = model_identity(settings)
    return build_index(
        corpus_dir(settings),
        settings.index_dir,
        load_encoder,
        model_id=model_id,
        dim=dim,
        rebuild=rebuild,
        dry_run=dry_run,
        progress=progress,
    )


def _changes(index_dir: Path, documents: list[Document], before: dict[str, str]) -> BuildReport:
    """Which files are added, replaced, removed or unchanged, by content hash."""
    report = BuildReport(index_dir, documents=len(documents))
    now_hashes = {d.content_hash for d in documents}
    now_sources = {d.source for d in documents}
    old_sources = set(before.values())
    for doc in documents:
        if doc.content_hash in before:
            report.unchanged.append(doc.source)
        elif doc.source in old_sources:
            report.replaced.append(doc.source)
        else:
            report.added.append(doc.source)
    report.removed = sorted(source for h, source in before.items() if h not in now_hashes and source not in now_sources)
    return report


def _write_generation(
    index_dir: Path,
    documents: list[Document],
    pairs: list[tuple[Document, Passage]],
    texts: list[str],
    hashes: list[str],
    vectors: np.ndarray,
    corpus_dir: Path,
    fingerprint: str,
    model_id: str,
    dim: int,
    progress: BuildProgress,
) -> Path:
    # Leftovers of builds that died are never referenced by `current`.
    live = current_generation(index_dir)
    for old in index_dir.glob("gen-*"):
        if old != live:
            shutil.rmtree(old, ignore_errors=True)
    for stale_link in index_dir.glob(f".{CURRENT}.*"):
        stale_link.unlink(missing_ok=True)

    generation = index_dir / f"gen-{time.time_ns()}"
    generation.mkdir()
    save_vector_index(build_vector_index(vectors), generation / VECTORS_FILE)
    LexicalIndex.build(_words(texts, progress)).save(generation / LEXICAL_DIR)

    store = Store(generation / DB_FILE, create=True)
    try:
        store.add_documents(documents)
        store.add_passages([p for _, p in pairs], hashes, vectors)
        store.write_manifest(
            Manifest(
                model_id=model_id,
                dim=dim,
                chunking_version=CHUNKING_VERSION,
                corpus_fingerprint=fingerprint,
                corpus_dir=str(corpus_dir.resolve()),
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
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


def _words(texts: list[str], progress: BuildProgress) -> Iterator[list[str]]:
    """Each text's words for BM25, with progress (segmenting is minutes at a million passages)."""
    for done, text in enumerate(texts, start=1):
        yield tokenize(text)
        if done % 1000 == 0 or done == len(texts):
            progress("words", done, len(texts))


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
