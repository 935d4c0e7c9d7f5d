"""The things that flow through qa: files → Document → Passage → Hit."""

from __future__ import annotations

from dataclasses import dataclass, field

# The levels of administration, from the top (see corpus/places.py).
LEVELS = ("全国", "省", "市", "区县", "镇")
# How lists show a place, level or year that no source is sure of (stored as None).
UNKNOWN = "未知"


@dataclass(frozen=True)
class Document:
    """One cleaned report with the metadata read from it."""

    doc_id: str  # stable: derived from the source file's content hash
    source: str  # path of the file, relative to the corpus folder
    title: str
    place: str | None  # full hierarchy, e.g. "广东省珠海市斗门区" or "全国"; None when the text does not say
    year: int | None
    text: str  # cleaned text; passage offsets point into it
    content_hash: str  # sha256 of the raw file bytes
    level: str | None = None  # 全国 | 省 | 市 | 区县 | 镇 (see corpus/places.py)


def listing_order(doc: Document) -> tuple[int, str, int, str]:
    """How lists show documents: by level (the nation first), place, year; what
    is unknown after what is known, the file name last."""
    level = LEVELS.index(doc.level) if doc.level in LEVELS else len(LEVELS)
    return level, doc.place or "\uffff", doc.year or 10_000, doc.source


REVIEW = "review"  # a passage about what was done or achieved
PLAN = "plan"  # a passage setting targets, tasks, arrangements


@dataclass(frozen=True)
class PassageTime:
    """The years a passage speaks about (inclusive) and whether it reviews or plans them."""

    first: int
    last: int
    tense: str  # REVIEW | PLAN

    def covers(self, year: int) -> bool:
        return self.first <= year <= self.last


@dataclass(frozen=True)
class Passage:
    """A paragraph-sized piece of a document: what is indexed and shown."""

    passage_id: str  # stable: doc_id + paragraph + window
    doc_id: str
    section: str  # nearest heading above the passage ("" if none)
    paragraph: int  # 1-based paragraph number in the cleaned text
    start: int  # character offsets into Document.text: text == doc.text[start:end]
    end: int
    text: str
    time: PassageTime | None = None  # None: the passage does not say (see corpus/timeline.py)


@dataclass(frozen=True)
class Filters:
    """Restrictions on where answers may come from."""

    place: str | None = None  # substring of the document's place or title
    year: int | None = None
    level: str | None = None  # 全国 | 省 | 市 | 区县 | 镇

    @property
    def active(self) -> bool:
        return self.place is not None or self.year is not None or self.level is not None

    def admits(self, doc: Document) -> bool:
        return (
            (self.year is None or doc.year == self.year)
            and (self.level is None or doc.level == self.level)
            and (self.place is None or self.place in f"{doc.place or ''} {doc.title}")
        )


@dataclass(frozen=True)
class Hit:
    """A ranked passage with the sentence that best answers the question."""

    rank: int
    score: float
    passage: Passage
    title: str
    place: str | None
    year: int | None
    source: str
    answer_sentence: str
    answer_start: int  # offsets of answer_sentence inside passage.text
    answer_end: int
    term_spans: tuple[tuple[int, int], ...] = field(default=())  # question words in passage.text
    weak: bool = False  # below the confidence floor: shown as a weak match
    value: str = ""  # the clause of the answer sentence that carries what was asked (search/value.py)
