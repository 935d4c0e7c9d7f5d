"""What `qa info` reports: where the index and model are, what they hold, whether they are current."""

from __future__ import annotations

from dataclasses import dataclass

from qa.config import CHUNKING_VERSION, Settings
from qa.corpus.fingerprint import corpus_fingerprint
from qa.errors import QAError
from qa.index.build import sha256_file
from qa.index.corpus_folder import corpus_dir
from qa.index.layout import DB_FILE, VECTORS_FILE, current_generation
from qa.index.store import Store
from qa.model.convert import read_manifest


@dataclass(frozen=True)
class IndexStatus:
    index_dir: str
    model_dir: str
    model_id: str | None  # the configured model's, None if it is not prepared
    built: bool
    documents: int = 0
    passages: int = 0
    index_model_id: str | None = None
    built_at: str | None = None
    corpus_dir: str | None = None
    problems: tuple[str, ...] = ()  # why the index is not current; empty when it is

    @property
    def current(self) -> bool:
        return self.built and not self.problems


def index_status(settings: Settings) -> IndexStatus:
    model_manifest = read_manifest(settings.resolved_model_dir)
    model_id = model_manifest.model_id if model_manifest else None
    index_dir, model_dir = str(settings.index_dir), str(settings.resolved_model_dir)
    generation = current_generation(settings.index_dir)
    if generation is None:
        return IndexStatus(index_dir, model_dir, model_id, built=False, problems=("no index yet: run `qa index`",))
    try:
        store = Store(generation / DB_FILE)
        try:
            manifest = store.manifest()
        finally:
            store.close()
    except QAError as error:
        return IndexStatus(index_dir, model_dir, model_id, built=True, problems=(str(error),))

    problems = []
    if sha256_file(generation / VECTORS_FILE) != manifest.vectors_sha256:
        problems.append("the vector file is damaged: run `qa index --rebuild`")
    if model_id is not None and model_id != manifest.model_id:
        problems.append(f"built with another model ({manifest.model_id}): run `qa index --rebuild`")
    if manifest.chunking_version != CHUNKING_VERSION:
        problems.append("built by an older qa (chunking or layout): run `qa index`")
    corpus = corpus_dir(settings)
    if not corpus.is_dir():
        problems.append(f"corpus folder {corpus} does not exist")
    elif corpus_fingerprint(corpus) != manifest.corpus_fingerprint:
        problems.append(f"{corpus} has changed since: run `qa index`")
    return IndexStatus(
        index_dir,
        model_dir,
        model_id,
        built=True,
        documents=manifest.documents,
        passages=manifest.passages,
        index_model_id=manifest.model_id,
        built_at=manifest.built_at,
        corpus_dir=manifest.corpus_dir,
        problems=tuple(problems),
    )
