"""Many years of the same places (conftest.multi_year_searcher): relative years resolve
against the reports of the place asked, a question naming no year gets the latest
report first, and the reports of the place and year asked reach the candidates."""

from __future__ import annotations

from qa.corpus.places import NATION
from qa.records import result_json
from qa.search.searcher import Searcher
from qa.types import REVIEW


def latest_year(searcher: Searcher, place_part: str) -> int:
    return max(d.year for d in searcher.documents() if d.year is not None and place_part in (d.place or ""))


def test_last_year_is_counted_from_the_places_latest_report(multi_year_searcher: Searcher) -> None:
    this_year = latest_year(multi_year_searcher, "西藏")
    result = multi_year_searcher.search("西藏去年GDP增长了多少？", k=5)
    assert result.query.time.understood == f"去年={this_year - 1}"
    top = result.hits[0]
    assert "西藏" in (top.place or "") and top.year == this_year and not top.weak
    assert top.passage.time is not None and top.passage.time.tense == REVIEW and top.passage.time.covers(this_year - 1)
    assert result_json(result)["understood"]["relative"] == f"去年={this_year - 1}"


def test_this_year_without_a_place_is_the_nations(multi_year_searcher: Searcher) -> None:
    national = max(d.year for d in multi_year_searcher.documents() if d.place == NATION and d.year is not None)
    result = multi_year_searcher.search("今年国家的财政赤字率定了多少？", k=3)
    assert result.query.time.understood == f"今年={national}"
    assert result.hits[0].year == national and result.hits[0].place == NATION


def test_a_question_naming_no_year_gets_the_latest_report_first(multi_year_searcher: Searcher) -> None:
    result = multi_year_searcher.search("西藏地区生产总值增长目标是多少？", k=10)
    years = [h.year for h in result.hits if "西藏" in (h.place or "")]
    assert years[0] == latest_year(multi_year_searcher, "西藏") and len(set(years)) > 1  # other years follow


def test_the_place_and_year_asked_come_first_among_near_identical_reports(multi_year_searcher: Searcher) -> None:
    """Every 2025 and 2026 provincial report sets a GDP target in nearly the same words."""
    provinces = sorted({d.place for d in multi_year_searcher.documents() if d.level == "省" and d.year == 2025})
    assert len(provinces) > 20
    for place in provinces:
        top = multi_year_searcher.search(f"{place}2025年地区生产总值增长目标是多少？", k=1).hits[0]
        assert (top.place, top.year) == (place, 2025), place
