"""What the index can answer: the places and years its reports cover.

A question about a place or a year no indexed report covers has no answer
here, however good the best passage looks (「青海省2025年…」 when no report of
青海 is indexed; 「上海市2019年…目标」 when only the 2020 report, which reviews
2019, is). Then the answer says so — 「索引里没有青海省的报告」,
「索引里没有上海市2019年的报告；有上海市2020、2022、2023年的」 — and the hits are
shown as weak. Bulletins, plans and reports are told apart by the passage
times the index stores (see corpus/timeline.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from qa.corpus import places
from qa.search.answer import Term
from qa.search.query import Query
from qa.types import PLAN, REVIEW, Document

SHOWN_YEARS = 6  # years listed in a message, the nearest to the one asked
OPENING_CHARS = 300  # where a report names its own place: title, issuer, date line
# Words that say where or when, not what: the place and time priors weigh them.
_WHERE_WHEN = frozenset(
    "年 年度 当年 今年 去年 明年 全年 政府 人民政府 全省 全市 全区 全县 全镇 本省 本市 省 市 区 县 镇".split()
)
_YEARISH = re.compile(r"^(?:19|20)\d{2}$")

# (first, last, tense or None) → doc_ids with a passage about those years in that tense
DocsAbout = Callable[[int, int, str | None], set[str]]


class Scope:
    """A claim that the index lacks something rests only on metadata it is sure of:
    a report of unknown place may be of any place its opening names, and one of
    unknown year of any year."""

    def __init__(self, documents: Iterable[Document], docs_about: DocsAbout) -> None:
        self._documents = {d.doc_id: d for d in documents}
        self._docs_about = docs_about
        self._by_place: dict[str, list[Document]] = {}
        for doc in self._documents.values():
            if doc.place:
                self._by_place.setdefault(doc.place, []).append(doc)
        self._place_names = set(self._by_place)
        self._unplaced = [d for d in self._documents.values() if d.place is None]

    def gap(self, query: Query) -> str | None:
        """Why the index cannot answer the question, or None if it may."""
        missing = self._unindexed_place(query)
        if missing is not None:
            return f"索引里没有{missing}的报告"
        return self._uncovered_time(query) if query.time.named else None

    def caveat(self, query: Query) -> str | None:
        """The reports that may be of the place or year asked but whose metadata does not
        say: 「另有1份清苑县的报告年份不明」."""
        if not query.time.named:
            return None
        unknown = [d for d in self.documents_in_scope(query) if d.year is None]
        if not unknown:
            return None
        where = _named_place(query)
        return f"另有{len(unknown)}份{where + '的' if where else ''}报告年份不明"

    def in_scope(self, query: Query, doc: Document) -> bool:
        """Whether a document is of the place the question names (any, if it names none;
        a report of unknown place, if its opening names that place)."""
        if not query.places:
            return True
        if doc.place is None:
            return self._may_be_of(doc, _places_named(query))
        return doc.place in _places_named(query)

    def documents_in_scope(self, query: Query) -> list[Document]:
        """The documents in_scope holds for (in no set order), looked up by place rather
        than asked one by one: a national index holds tens of thousands."""
        if not query.places:
            return list(self._documents.values())
        named = _places_named(query)
        found = [d for place in named for d in self._by_place.get(place, ())]
        return found + [d for d in self._unplaced if self._may_be_of(d, named)]

    @staticmethod
    def _may_be_of(doc: Document, names: list[str]) -> bool:
        opening = doc.title + doc.text[:OPENING_CHARS]
        return any(alias in opening for name in names for alias in places.unit_aliases(places.place_of(name).unit))

    def matter(self, query: Query, terms: Sequence[Term]) -> list[Term]:
        """The terms that say what is asked, without those naming a place or a time
        (斗门, 2020, 全市); single characters (沪, 给, 到) say too little to count."""
        named = [*places.place_phrases(query.text), *places.NATION_NAMES]

        def names_scope(word: str) -> bool:
            if len(word) == 1 or word in _WHERE_WHEN or _YEARISH.match(word):
                return True
            return any(word in phrase for phrase in named) or places.resolve(word) is not None

        return [t for t in terms if not names_scope(t.forms[0])]

    def _unindexed_place(self, query: Query) -> str | None:
        """A place the question names of which no report is indexed (only when it
        names no indexed place: a question may name others in passing)."""
        if query.places:
            return None
        for phrase in places.place_phrases(query.text):
            place = places.resolve(phrase)
            if place is not None and place.name not in self._place_names:
                if self._unplaced and any(self._may_be_of(d, [place.name]) for d in self._unplaced):
                    return None  # a report of unknown place may be this one
                return place.name
        return None

    def _uncovered_time(self, query: Query) -> str | None:
        asked = query.time
        docs = self.documents_in_scope(query)
        if any(d.year is None for d in docs):
            return None  # that report may be of the year asked: see caveat
        if asked.report_year is not None:
            if any(d.year == asked.report_year for d in docs):
                return None
            return _missing(query, docs, asked.report_year, f"{asked.report_year}年", "")
        if asked.first is None or asked.last is None:
            return None
        about = self._docs_about(asked.first, asked.last, asked.tense)
        if any(d.doc_id in about for d in docs):
            return None
        years = f"{asked.first}年" if asked.first == asked.last else f"{asked.first}—{asked.last}年"
        return _missing(query, docs, asked.first, years, {PLAN: "目标", REVIEW: "实绩"}.get(asked.tense or "", ""))


def _places_named(query: Query) -> list[str]:
    """The places the question names outright (score 1), not those it only hints at."""
    return [place for place, score in query.places.items() if score >= 1.0]


def _named_place(query: Query) -> str | None:
    """The one place the question names outright, if it names one (the nation aside)."""
    named = _places_named(query)
    return named[0] if len(named) == 1 and named[0] != places.NATION else None


def _missing(query: Query, docs: list[Document], year: int, years: str, what: str) -> str:
    """「索引里没有讲上海市2019年目标的报告；有上海市2020、2022、2023年的」"""
    where = _named_place(query) or ""
    message = f"索引里没有讲{where}{years}{what}的报告" if what else f"索引里没有{where}{years}的报告"
    held = sorted({d.year for d in docs if d.year is not None}, key=lambda y: abs(y - year))[:SHOWN_YEARS]
    if held:
        message += f"；有{where}{'、'.join(map(str, sorted(held)))}年的"
    return message
