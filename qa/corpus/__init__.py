"""A folder of report files → cleaned Documents, and Documents → Passages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from qa.corpus.chunk import chunk_document
from qa.corpus.clean import clean_text
from qa.corpus.fingerprint import corpus_files
from qa.corpus.metadata import extract_metadata
from qa.corpus.readers import UnreadableFile, read_text
from qa.errors import QAError
from qa.types import Document, Passage

__all__ = ["CorpusError", "CorpusLoad", "SkippedFile", "load_corpus", "passages_for"]


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
    """Every .txt report under corpus_dir (recursively, in path order), each
    distinct content once; files that cannot be used are listed with a reason."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist: create it and put .txt reports in it, or choose another folder")
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
        content_hash = hashlib.sha256(data).hexdigest()
        if content_hash in source_of_hash:
            load.skipped.append(SkippedFile(source, f"same content as {source_of_hash[content_hash]}"))
            continue
        source_of_hash[content_hash] = source
        try:
            text = clean_text(read_text(data))
        except UnreadableFile as error:
            load.skipped.append(SkippedFile(source, str(error)))
            continue
        if not text:
            load.skipped.append(SkippedFile(source, "empty file" if not data else "empty after cleaning"))
            continue
        # The same report saved twice in different encodings differs in bytes only.
        if text in source_of_text:
            load.skipped.append(SkippedFile(source, f"same text as {source_of_text[text]}"))
            continue
        source_of_text[text] = source
        title, place, year = extract_metadata(text, path.name)
        load.documents.append(
            Document(
                doc_id=content_hash[:16],
                source=source,
                title=title,
                place=place,
                year=year,
                text=text,
                content_hash=content_hash,
            )
        )
    if not load.documents:
        raise CorpusError(
            f"no readable report in {corpus_dir} ({len(paths)} .txt files found): add UTF-8 or GB18030 .txt files to it"
        )
    return load


def passages_for(doc: Document) -> list[Passage]:
    """The passages to index and show for a document."""
    return chunk_document(doc)
