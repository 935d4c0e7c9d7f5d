"""A folder of report files → cleaned Documents, and Documents → Passages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from qa.corpus.chunk import chunk_document
from qa.corpus.clean import clean_text
from qa.corpus.fingerprint import SUFFIXES, corpus_files
from qa.corpus.metadata import InvalidMetadata, Overrides, extract_metadata, read_sidecar, split_front_matter
from qa.corpus.readers import UnreadableFile, read_document_text
from qa.errors import QAError
from qa.types import Document, Passage

__all__ = ["CorpusError", "CorpusLoad", "SkippedFile", "load_corpus", "passages_for"]

FORMATS = ", ".join(sorted(SUFFIXES))
FRONT_MATTER_SUFFIXES = (".md", ".txt")


class CorpusError(QAError):
    """The corpus folder cannot give a single document; the message says what to do."""


@dataclass(frozen=True)
class SkippedFile:
    path: str  # relative to the corpus folder
    reason: str  # a short sentence for the user


@dataclass
class CorpusLoad:
    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def load_corpus(corpus_dir: Path) -> CorpusLoad:
    """Every report under corpus_dir (recursively, in path order), each
    distinct content once; files that cannot be used are listed with a reason."""
    if not corpus_dir.is_dir():
        problem = "is not a folder" if corpus_dir.exists() else "does not exist"
        raise CorpusError(f"corpus folder {corpus_dir} {problem}: put reports ({FORMATS}) in a folder and choose it")
    paths = corpus_files(corpus_dir)
    load = CorpusLoad()
    source_of_hash: dict[str, str] = {}  # first file with these bytes
    source_of_text: dict[str, str] = {}  # first file with this cleaned text
    for path in paths:
        source = path.relative_to(corpus_dir).as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:
            load.skipped.append(SkippedFile(source, f"could not be read ({error.strerror or error})"))
            continue
        if not data:
            load.skipped.append(SkippedFile(source, "empty file"))
            continue
        content_hash = hashlib.sha256(data).hexdigest()
        if content_hash in source_of_hash:
            load.skipped.append(SkippedFile(source, f"same content as {source_of_hash[content_hash]}"))
            continue
        source_of_hash[content_hash] = source
        try:
            document = _document(path, source, data, content_hash)
        except (UnreadableFile, InvalidMetadata) as error:
            load.skipped.append(SkippedFile(source, str(error)))
            continue
        if document is None:
            load.skipped.append(SkippedFile(source, "empty after cleaning"))
            continue
        # The same report saved twice in different encodings or formats differs in bytes only.
        if document.text in source_of_text:
            load.skipped.append(SkippedFile(source, f"same text as {source_of_text[document.text]}"))
            continue
        source_of_text[document.text] = source
        load.documents.append(document)
    if not load.documents:
        raise CorpusError(
            f"no readable report in {corpus_dir} ({len(paths)} report files found): add {FORMATS} files to it"
        )
    return load


def _document(path: Path, source: str, data: bytes, content_hash: str) -> Document | None:
    """The cleaned report in a file, or None if nothing is left of it."""
    text = read_document_text(path, data)
    front_matter = Overrides()
    if path.suffix.lower() in FRONT_MATTER_SUFFIXES:
        front_matter, text = split_front_matter(text)
    overrides = read_sidecar(path).over(front_matter)
    text = clean_text(text)
    if not text:
        return None
    metadata = extract_metadata(text, path.name, overrides)
    return Document(
        doc_id=content_hash[:16],
        source=source,
        title=metadata.title,
        place=metadata.place,
        year=metadata.year,
        text=text,
        content_hash=content_hash,
        level=metadata.level,
    )


def passages_for(doc: Document) -> list[Passage]:
    """The passages to index and show for a document."""
    return chunk_document(doc)
