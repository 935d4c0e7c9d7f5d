"""SQLite store: documents, passages, their vectors, and the index manifest.

Passage rows are numbered 0..n-1 in FAISS order (`row`), so a vector hit maps
straight to its passage. Vectors are kept here too, keyed by the hash of the text
they embed, so a rebuild re-embeds only passages whose text changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from qa.errors import QAError
from qa.types import Document, Passage, PassageTime

SCHEMA = """
CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT NOT NULL,
    place TEXT, year INTEGER, text TEXT NOT NULL, content_hash TEXT NOT NULL, level TEXT
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY, passage_id TEXT UNIQUE NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id), section TEXT NOT NULL,
    paragraph INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, embedded_hash TEXT NOT NULL, vector BLOB NOT NULL,
    time_first INTEGER, time_last INTEGER, tense TEXT
);
CREATE INDEX passages_by_doc ON passages(doc_id, row);
CREATE INDEX passages_by_hash ON passages(embedded_hash);
CREATE TABLE document_years (
    year INTEGER NOT NULL, tense TEXT NOT NULL, doc_id TEXT NOT NULL, PRIMARY KEY (year, tense, doc_id)
) WITHOUT ROWID;
"""
# document_years: each passage's span of years written out year by year (once per
# document), so that "which reports speak of 2020" reads a few index entries instead
# of every passage (1.4 s a question at a million passages).


class IndexCorrupt(QAError):
    pass


def _reading(method):
    """Turns SQLite failures while reading (a damaged file, an older layout) into IndexCorrupt."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, TypeError, ValueError) as exc:
            raise IndexCorrupt(
                f"the index database {self.path} is damaged or outdated; run `qa index --rebuild`"
            ) from exc

    return wrapper


@dataclass(frozen=True)
class Manifest:
    model_id: str
    dim: int
    chunking_version: str
    corpus_fingerprint: str  # of the corpus folder's files (paths and contents) when built
    corpus_dir: str
    built_at: str  # ISO 8601, UTC
    documents: int
    passages: int
    vectors_sha256: str  # of the FAISS file: a truncated or altered file is detected
    # Where the vectors were embedded ("cpu", "cuda"): several when an update embedded on
    # another device than earlier builds (same model, so they mix). Indexes from before
    # this field were all embedded on the CPU.
    devices: tuple[str, ...] = ("cpu",)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PassageTimes:
    """Each passage's PassageTime (or None), held as arrays: a million passages in 9 MB."""

    first: np.ndarray  # int32, row order
    last: np.ndarray  # int32
    tense: np.ndarray  # int8: a position in `tenses`, -1 where the passage's time is unknown
    tenses: tuple[str, ...]

    @classmethod
    def of(cls, firsts: Sequence[int], lasts: Sequence[int], tenses: Sequence[str | None]) -> PassageTimes:
        names = tuple(sorted({t for t in set(tenses) if t is not None}))
        codes = {name: i for i, name in enumerate(names)} | {None: -1}
        return cls(
            np.array(firsts, dtype=np.int32),
            np.array(lasts, dtype=np.int32),
            np.array([codes[t] for t in tenses], dtype=np.int8),
            names,
        )

    def at(self, rows: Sequence[int]) -> list[PassageTime | None]:
        """The PassageTime (None: unknown) of each given row, in that order."""
        picked = zip(self.first[rows].tolist(), self.last[rows].tolist(), self.tense[rows].tolist())
        return [None if tense < 0 else PassageTime(first, last, self.tenses[tense]) for first, last, tense in picked]


def _passage(row: tuple) -> Passage:
    first, last, tense = row[8:11]
    time = PassageTime(first, last, tense) if tense is not None else None
    passage_id, doc_id, section, paragraph, start, end, text = row[1:8]
    return Passage(passage_id, doc_id, section, paragraph, start, end, text, time)


class Store:
    """One SQLite file. Opened read-only for search, read-write while building."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        self.path = path
        if create:
            self._db = sqlite3.connect(path)
            self._db.executescript(SCHEMA)
        else:
            if not path.is_file():
                raise IndexCorrupt(f"index database missing: {path}; run `qa index --rebuild`")
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        # An index built before document_years (CHUNKING_VERSION 4) is read the slow way until `qa index`.
        self._has_document_years = create or self._has_table("document_years")

    def _has_table(self, name: str) -> bool:
        try:
            return self._db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None
        except sqlite3.DatabaseError:
            return False  # a damaged file: the first real read reports it

    def close(self) -> None:
        self._db.close()

    # -- writing (build time) -------------------------------------------------

    def add_documents(self, documents: Iterable[Document]) -> None:
        self._db.executemany(
            "INSERT INTO documents VALUES (:doc_id, :source, :title, :place, :year, :text, :content_hash, :level)",
            [asdict(d) for d in documents],
        )

    def add_passages(
        self, first_row: int, passages: Sequence[Passage], hashes: Sequence[str], vectors: np.ndarray
    ) -> None:
        """One batch of passages, as rows first_row, first_row+1, … in FAISS order;
        `hashes` are of the text each vector embeds. Committed at once: a build holds
        no more than a batch in memory, and SQLite keeps no growing journal."""
        self._db.executemany(
            "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    first_row + i,
                    p.passage_id,
                    p.doc_id,
                    p.section,
                    p.paragraph,
                    p.start,
                    p.end,
                    p.text,
                    hashes[i],
                    vectors[i].astype(np.float32).tobytes(),
                    *((p.time.first, p.time.last, p.time.tense) if p.time else (None, None, None)),
                )
                for i, p in enumerate(passages)
            ],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO document_years VALUES (?, ?, ?)",
            {
                (year, p.time.tense, p.doc_id)
                for p in passages
                if p.time
                for year in range(p.time.first, p.time.last + 1)
            },
        )
        self._db.commit()

    def write_manifest(self, manifest: Manifest) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO manifest VALUES (?, ?)",
            [(k, json.dumps(v)) for k, v in asdict(manifest).items()],
        )
        self._db.commit()

    # -- reading ---------------------------------------------------------------

    @_reading
    def manifest(self) -> Manifest:
        values = {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM manifest")}
        if "devices" in values:
            values["devices"] = tuple(values["devices"])
        return Manifest(**values)

    @_reading
    def documents(self) -> list[Document]:
        rows = self._db.execute(
            "SELECT doc_id, source, title, place, year, text, content_hash, level FROM documents ORDER BY source"
        )
        return [Document(*row) for row in rows]

    @_reading
    def document(self, doc_id: str) -> Document | None:
        row = self._db.execute(
            "SELECT doc_id, source, title, place, year, text, content_hash, level FROM documents WHERE doc_id = ?",
            (doc_id,),
        ).fetchone()
        return Document(*row) if row else None

    @_reading
    def passages(self, rows: Sequence[int] | None = None) -> list[Passage]:
        """Passages at the given rows (in that order), or all of them in row order."""
        sql = (
            'SELECT row, passage_id, doc_id, section, paragraph, start, "end", text, time_first, time_last, tense'
            " FROM passages"
        )
        if rows is None:
            return [_passage(r) for r in self._db.execute(sql + " ORDER BY row")]
        found = {
            r[0]: _passage(r)
            for r in self._db.execute(sql + f" WHERE row IN ({','.join('?' * len(rows))})", list(rows))
        }
        return [found[r] for r in rows]

    @_reading
    def passage_rows(self, doc_id: str) -> list[int]:
        return [r for (r,) in self._db.execute("SELECT row FROM passages WHERE doc_id = ? ORDER BY row", (doc_id,))]

    @_reading
    def passage_summaries(self) -> tuple[list[str], PassageTimes]:
        """Every passage's doc_id and time, in row order, without its text: a search
        weighs a few hundred candidates by report and time and reads the text of the
        few it judges (one scan of the table when the index is opened)."""
        rows = self._db.execute(
            "SELECT doc_id, coalesce(time_first, 0), coalesce(time_last, 0), tense FROM passages ORDER BY row"
        ).fetchall()
        # Column by column: zip(*rows) took a second at a million rows.
        times = PassageTimes.of([r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])
        return [r[0] for r in rows], times

    @_reading
    def doc_ids_about(self, first: int, last: int, tense: str | None) -> set[str]:
        """Documents with a passage about some of the years first..last (in that tense, if given)."""
        if self._has_document_years:
            rows = self._db.execute(
                "SELECT DISTINCT doc_id FROM document_years WHERE year BETWEEN ? AND ? AND (? IS NULL OR tense = ?)",
                (first, last, tense, tense),
            )
            return {d for (d,) in rows}
        # An older index: its passages, through the passages_by_time index it was built with.
        rows = self._db.execute(
            "SELECT DISTINCT doc_id FROM passages WHERE time_last >= ? AND time_first <= ? AND (? IS NULL OR tense = ?)",
            (first, last, tense, tense),
        )
        return {d for (d,) in rows}

    @_reading
    def vector_rows(self, rows: Sequence[int], dim: int) -> np.ndarray:
        """The stored vectors of the given rows, in that order (a range is read as one scan)."""
        if isinstance(rows, range):
            found = self._db.execute(
                "SELECT row, vector FROM passages WHERE row >= ? AND row < ? ORDER BY row", (rows.start, rows.stop)
            )
            return _stack([blob for _, blob in found], dim)
        wanted = [int(r) for r in rows]  # numpy integers are no SQLite parameters
        by_row: dict[int, bytes] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            by_row.update(
                self._db.execute(f"SELECT row, vector FROM passages WHERE row IN ({','.join('?' * len(chunk))})", chunk)
            )
        return _stack([by_row[r] for r in wanted], dim)

    @_reading
    def vectors_by_hash(self, hashes: Iterable[str], dim: int) -> dict[str, np.ndarray]:
        return {
            h: vector
            for h, blob in self._by_hash(hashes, "vector")
            if (vector := np.frombuffer(blob, dtype=np.float32)).shape == (dim,)
        }

    @_reading
    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """Which of these embedded-text hashes have a vector here (without reading the vectors)."""
        return {h for h, _ in self._by_hash(hashes, "NULL")}

    def _by_hash(self, hashes: Iterable[str], column: str) -> Iterator[tuple[str, bytes]]:
        wanted = list(set(hashes))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            yield from self._db.execute(
                f"SELECT embedded_hash, {column} FROM passages WHERE embedded_hash IN ({','.join('?' * len(chunk))})",
                chunk,
            )


def _stack(blobs: list[bytes], dim: int) -> np.ndarray:
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dim)
