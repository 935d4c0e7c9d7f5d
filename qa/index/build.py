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
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.config import BUILD_BATCH, CHUNKING_VERSION, Settings, usable_cores
from qa.corpus import SkippedFile, load_corpus, passages_for
from qa.corpus.fingerprint import corpus_fingerprint
from qa.errors import QAError
from qa.index.layout import CURRENT, DB_FILE, LEXICAL_DIR, VECTORS_FILE, current_generation
from qa.index.lexical import LexicalIndex, WordIdFile
from qa.index.store import IndexCorrupt, Manifest, Store, text_hash
from qa.index.vectors import fill_vector_index, save_vector_index
from qa.types import Document, Passage
from qa.words import tokenize

if TYPE_CHECKING:  # imported where used: loading it may pull in torch
    from qa.model.encoder import Encoder

LOCK_FILE = ".lock"
WORDS_FILE = "words.tmp"  # passages' word ids while building (deleted once BM25 is built)

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


class _Previous:
    """What the live index holds, as far as a new build can use it: its documents and,
    unless rebuilding, its vectors, looked up a batch at a time (never all at once)."""

    def __init__(
        self, sources_by_hash: dict[str, str] | None = None, store: Store | None = None, devices: tuple[str, ...] = ()
    ) -> None:
        self.sources_by_hash = sources_by_hash or {}  # content hash → source
        self._store = store
        self.devices = devices  # where the reusable vectors were embedded

    def vectors(self, hashes: list[str], dim: int) -> dict[str, np.ndarray]:
        """Embedded-text hash → vector, for those of `hashes` the live index has."""
        return self._store.vectors_by_hash(hashes, dim) if self._store else {}

    def known(self, hashes: list[str]) -> set[str]:
        return self._store.known_hashes(hashes) if self._store else set()

    def close(self) -> None:
        if self._store:
            self._store.close()


def _previous(index_dir: Path, model_id: str, dim: int, rebuild: bool) -> _Previous:
    """The live index, opened for reuse; refuses to mix models. An index of another
    chunking is rebuilt whole by any build, its vectors reused where a passage's text is
    unchanged: a vector depends only on the model and the text (so upgrading qa re-embeds
    only what the new chunking cut differently)."""
    generation = current_generation(index_dir)
    if generation is None:
        return _Previous()
    try:
        store = Store(generation / DB_FILE)
        try:
            manifest = store.manifest()
            sources = {d.content_hash: d.source for d in store.documents()}
        except IndexCorrupt:
            store.close()
            raise
        if rebuild:
            store.close()
            return _Previous(sources)
        if (manifest.model_id, manifest.dim) != (model_id, dim):
            store.close()
            raise IndexMismatch(
                f"the index in {index_dir} was built with {manifest.model_id} ({manifest.dim}-dim), "
                f"not {model_id} ({dim}-dim); run `qa index --rebuild`"
            )
        return _Previous(sources, store, manifest.devices)
    except IndexCorrupt:
        return _Previous()  # a damaged old index is simply replaced


@dataclass
class _Batch:
    """Up to BUILD_BATCH consecutive passages, with the text each is embedded as and its hash."""

    passages: list[Passage] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)


def _batches(documents: list[Document]) -> Iterator[_Batch]:
    """The corpus's passages in row order, a batch at a time: chunked as they are
    needed, so that a build never holds every passage at once."""
    batch = _Batch()
    for doc in documents:
        for passage in passages_for(doc):
            text = indexed_text(doc, passage)
            batch.passages.append(passage)
            batch.texts.append(text)
            batch.hashes.append(text_hash(text))
            if len(batch.passages) == BUILD_BATCH:
                yield batch
                batch = _Batch()
    if batch.passages:
        yield batch


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    load_encoder: Callable[[], Encoder],
    *,
    model_id: str,
    dim: int,
    rebuild: bool = False,
    dry_run: bool = False,
    workers: int | None = None,
    progress: BuildProgress = lambda stage, done, total: None,
) -> BuildReport:
    """Bring index_dir up to date with corpus_dir; returns what was (or, dry, would be) done.

    `rebuild` re-embeds everything; `dry_run` writes nothing and loads no model;
    `workers` processes cut passages into words (None: up to 2).
    Passages stream through in batches of BUILD_BATCH: one pass counts what is to
    embed (all a dry run does), the next embeds, writes and segments each batch.
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
        progress("read", len(corpus.documents), len(corpus.documents))
        previous = _previous(index_dir, model_id, dim, rebuild)
        try:
            report = _changes(index_dir, corpus.documents, previous.sources_by_hash)
            report.skipped, report.dry_run = corpus.skipped, dry_run
            for batch in _batches(corpus.documents):
                known = previous.known(batch.hashes)
                report.passages += len(batch.hashes)
                report.embedded += sum(h not in known for h in batch.hashes)
            report.reused = report.passages - report.embedded
            if not dry_run:
                generation = _write_generation(
                    index_dir,
                    corpus.documents,
                    previous,
                    report,
                    load_encoder,
                    corpus_dir,
                    fingerprint,
                    model_id,
                    dim,
                    usable_cores(workers),
                    progress,
                )
                _swap_in(index_dir, generation)
                progress("write", 1, 1)
        finally:
            previous.close()
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

        return Encoder(settings.resolved_model_dir, device=settings.device, workers=settings.workers)

    model_id, dim = model_identity(settings)
    return build_index(
        corpus_dir(settings),
        settings.index_dir,
        load_encoder,
        model_id=model_id,
        dim=dim,
        rebuild=rebuild,
        dry_run=dry_run,
        workers=settings.workers,
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
    previous: _Previous,
    report: BuildReport,
    load_encoder: Callable[[], Encoder],
    corpus_dir: Path,
    fingerprint: str,
    model_id: str,
    dim: int,
    workers: int,
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
    store = Store(generation / DB_FILE, create=True)
    words = WordIdFile(generation / WORDS_FILE)
    try:
        store.add_documents(documents)
        devices = _add_passages(store, words, documents, previous, report, load_encoder, dim, workers, progress)
        progress("write", 0, 1)
        # One after the other, each freed once saved: the BM25 matrix's build and the
        # FAISS index are the two largest things a build holds.
        LexicalIndex.build(words).save(generation / LEXICAL_DIR)
        words.close()
        vectors = fill_vector_index(report.passages, dim, lambda rows: store.vector_rows(rows, dim), BUILD_BATCH)
        save_vector_index(vectors, generation / VECTORS_FILE)
        del vectors
        store.write_manifest(
            Manifest(
                model_id=model_id,
                dim=dim,
                chunking_version=CHUNKING_VERSION,
                corpus_fingerprint=fingerprint,
                corpus_dir=str(corpus_dir.resolve()),
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                documents=len(documents),
                passages=report.passages,
                vectors_sha256=sha256_file(generation / VECTORS_FILE),
                devices=devices,
            )
        )
    except BaseException:
        # A failed build (no GPU, a full disk…) leaves nothing behind; one that is killed
        # leaves its folder to the next build.
        shutil.rmtree(generation, ignore_errors=True)
        raise
    finally:
        words.close()
        store.close()
    for path in [generation, *generation.rglob("*")]:
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    return generation


def _add_passages(
    store: Store,
    words: WordIdFile,
    documents: list[Document],
    previous: _Previous,
    report: BuildReport,
    load_encoder: Callable[[], Encoder],
    dim: int,
    workers: int,
    progress: BuildProgress,
) -> tuple[str, ...]:
    """Each batch's vectors (reused or embedded), rows and words, written as it comes;
    returns the devices the vectors were embedded on."""
    encoder = None
    embedded = segmented = 0
    devices = set(previous.devices) if report.reused else set()

    def advance(n: int) -> None:
        nonlocal embedded
        embedded += n
        progress("embed", embedded, report.embedded)

    if report.embedded:
        progress("embed", 0, report.embedded)
    with _word_cutter(workers, report.passages) as cut:
        for batch in _batches(documents):
            cutting = cut(batch.texts)  # in the word processes, while the batch is embedded here
            reused = previous.vectors(batch.hashes, dim)
            vectors = np.zeros((len(batch.hashes), dim), np.float32)
            missing = []
            for i, h in enumerate(batch.hashes):
                if h in reused:
                    vectors[i] = reused[h]
                else:
                    missing.append(i)
            if missing:
                if encoder is None:
                    encoder = load_encoder()
                    devices.add(encoder.device)
                vectors[missing] = encoder.encode_passages([batch.texts[i] for i in missing], progress=advance)
            store.add_passages(segmented, batch.passages, batch.hashes, vectors)
            # Segmenting is minutes at a million passages: its own progress.
            words.add(cutting)
            segmented += len(batch.texts)
            progress("words", segmented, report.passages)
    return tuple(sorted(devices))


@contextmanager
def _word_cutter(workers: int, passages: int) -> Iterator[Callable[[list[str]], Iterator[list[str]]]]:
    """texts → their words, in order. jieba is pure Python, ~1.4 ms a passage: half an
    hour a million on one core, while a GPU embeds them in minutes; so a corpus of more
    than a batch is cut by `workers` processes. They are started fresh (spawned, not
    forked from a process that may hold the model's threads), so each one's memory is
    its own: Python, jieba's dictionary and a batch of text."""
    if workers == 1 or passages <= BUILD_BATCH:
        yield lambda texts: map(tokenize, texts)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield lambda texts: pool.map(tokenize, texts, chunksize=64)


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
