"""What the index may claim it lacks: only what its metadata is sure of (no model needed)."""

from __future__ import annotations

from qa.search.query import PlaceMatcher, analyse
from qa.search.scope import Scope
from qa.types import PLAN, REVIEW, Document

OPENING = "政府工作报告\n——在{where}第十四届人民代表大会第一次会议上\n各位代表：\n"


def report(doc_id: str, place: str | None, year: int | None, where: str = "") -> Document:
    title = f"{year or ''}{where}政府工作报告"
    return Document(doc_id, f"{doc_id}.txt", title, place, year, OPENING.format(where=where), "h", None)


def scope_of(documents: list[Document]) -> tuple[Scope, PlaceMatcher]:
    """A scope whose reports each speak of their own year (plan) and the year before (review)."""

    def docs_about(first: int, last: int, tense: str | None) -> set[str]:
        about = set()
        for d in documents:
            if d.year is None:
                continue
            if tense in (None, PLAN) and first <= d.year <= last:
                about.add(d.doc_id)
            if tense in (None, REVIEW) and first <= d.year - 1 <= last:
                about.add(d.doc_id)
        return about

    return Scope(documents, docs_about), PlaceMatcher(d.place for d in documents if d.place)


QINGYUAN = "河北省保定市清苑区"


def test_a_year_no_report_covers_is_said_when_every_year_is_known() -> None:
    scope, matcher = scope_of([report("a", QINGYUAN, 2021), report("b", QINGYUAN, 2022)])
    query = analyse("清苑区2015年农民人均纯收入增长了多少", matcher)
    gap = scope.gap(query)
    assert gap is not None and gap.startswith("索引里没有讲河北省保定市清苑区2015年实绩的报告") and "2021、2022" in gap
    assert scope.caveat(query) is None


def test_a_report_of_unknown_year_forbids_the_claim_and_is_told() -> None:
    scope, matcher = scope_of([report("a", QINGYUAN, 2021), report("b", QINGYUAN, None)])
    query = analyse("清苑区2007年农民人均纯收入增长了多少", matcher)
    assert scope.gap(query) is None
    assert scope.caveat(query) == f"另有1份{QINGYUAN}的报告年份不明"
    assert scope.caveat(analyse("清苑区农民人均纯收入", matcher)) is None  # no year asked: nothing to doubt


def test_a_report_of_unknown_place_forbids_claiming_the_place_it_names() -> None:
    unplaced = report("u", None, 2008, where="清苑县")
    scope, matcher = scope_of([report("a", "广东省珠海市斗门区", 2020), unplaced])
    query = analyse("清苑县2007年农民人均纯收入是多少", matcher)
    assert scope.gap(query) is None
    # a place no report names, placed or not, is still said to be missing
    assert scope.gap(analyse("青海省2025年城镇新增就业目标", matcher)) == "索引里没有青海省的报告"
