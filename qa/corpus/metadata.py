"""Title, place, level and year of a report: read from its cleaned text and
file name, unless the user set them in front matter or a sidecar file.

- Place: the nation for a report read by 国务院 to 全国人民代表大会; else the
  place the title names, the government delivering the report (我代表…人民政府)
  or the congress hearing it (在…第N届人民代表大会), its issuer on a line of
  its own (黔东南州统计局), the file name, and only then the first place the
  opening names; resolved to its full hierarchy by places.py.
- Year: the title's, the date line's (——1999年3月5日在…会议上), the national
  congress session's (向第六届全国人民代表大会第二次会议 → 1984), the year the
  text plans (…年工作的总体要求) or reviews plus one (…年工作回顾), the file
  name's (1984_全国_政府工作报告.txt). A report of year N reviews N−1 and
  plans N. Years count in any script: 一九八三年, １９５５年. The first year a
  text names is no source: a report's opening names the year it reviews.
- Where no source says, place and year are None (shown as unknown), never a guess.
- Title: the text's own, without web-page furniture (「 | 某某网」); where it is
  generic (「政府工作报告」, 「各位代表：」) or names neither place nor year, one
  composed from year, place and kind (「2026年广东省政府工作报告」).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import cn2an
import jieba
import yaml

from qa.corpus.chunk import NUMBERED_HEADING, ends_sentence
from qa.words import to_simplified

if TYPE_CHECKING:
    import jieba.posseg
from qa.corpus.places import (
    LEVELS,
    NATION,
    THE_NATION,
    TOWN,
    Mentions,
    Place,
    level_of_name,
    place_phrases,
    resolve,
    unit_aliases,
)
from qa.corpus.years import arabic_years

jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at INFO

# Words that name the kind of document in a report's title line (in either script).
_TITLE_WORDS = re.compile(r"报告|報告|计划|計劃|計畫|工作安排|规划|規劃|要点|要點|总结|總結|纲要|綱要|施政|公报|公報")
_TITLE_MAX = 60
# The title sits above the body; the first line of prose ends the search.
_PROSE_MIN = 60
# A title has no clauses: "现在，我代表国务院，向大会报告政府工作" is prose.
_CLAUSE = re.compile(r"[，,；;：:。]")

# The kinds of document, as a composed title names them.
REPORT, BULLETIN = "政府工作报告", "国民经济和社会发展统计公报"
_KIND = re.compile(r"(?P<bulletin>统计公报)|(?P<report>工作报告)|(?P<plan>工作计划|工作安排|工作要点)")
_ADDRESSES_CONGRESS = re.compile(r"各位代表|向大会报告")

# Web-page furniture around a title: "…公报 | 某某市人民政府", "…_某某政府网", "…-中国政府网".
_TITLE_SEPARATOR = re.compile(r"\s*[|｜_]\s*|\s+[-－—–]+\s+")
# A bare dash joins ranges (2021-2025年); it parts off only a site's name.
_DASHED_TAIL = re.compile(r"[-－—–]+([^-－—–]+)$")
_SITE = re.compile(r"(?:网|网站|门户|官网|首页|频道|客户端|政府|人民政府|办公室|统计局|日报|新闻|发布)$")

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# A file name's year stands apart from letters too: not the 2019 in a hash "ab2019cd".
_NAME_YEAR = re.compile(r"(?<![0-9A-Za-z])(\d{4})(?![0-9A-Za-z])")
# "——1999年3月5日在第九届全国人民代表大会第二次会议上" (一九八三年四月二十日在…): the year of the session;
# without the day only as a line of its own ("——1999年3月在…"): prose says "2019年3月在北京召开".
_DAY = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE_LINES = (
    re.compile(rf"(?<![\d.])(\d{{4}})\s*年\s*{_DAY}\s*月\s*{_DAY}\s*日\s*在"),
    re.compile(rf"^\s*[—－-]+\s*(\d{{4}})\s*年\s*{_DAY}\s*月\s*在", re.MULTILINE),
)
# "一、1998年工作回顾" (or "1991年国内工作的回顾") is in the report of 1999; "2020年,东区工作的总体要求是" in that of 2020.
_REVIEWS = re.compile(r"(?<![\d.])(\d{4})\s*年[^，,。；;：:\n\d]{0,12}?工作的?(?:回顾|总结)")
_PLANS = re.compile(
    r"(?<![\d.])(\d{4})\s*年[，,]?(?:[^，,。；;：:\n\d]{0,15}?(?:总体要求|预期目标)|(?:重点)?工作(?:安排|计划|要点))"
)
# The People's Republic's first year; its first government work report is of 1954.
_FIRST_YEAR, _LAST_YEAR = 1949, 2100
# Characters of text searched for the place and year when the title says
# nothing. A report names its place in its first paragraph; and jieba's
# guessing of unknown words, needed for names like 南朗镇, gets slow on long
# stretches of unusual text.
_OPENING = 500

# A national report: read by 国务院 to 全国人民代表大会; a bulletin of 国家统计局.
_NATIONAL = re.compile(
    r"代表(?:中华人民共和国)?国务院|受[^，。]{0,8}国务院[^，。]{0,2}委托|(?:向|在)第[一二三四五六七八九十]+届\s*全国人民代表大会"
    r"|国务院总理|^(?:中华人民共和国)?国家统计局$",
    re.MULTILINE,
)
# The national congress session a report is read to: "向第六届全国人民代表大会第二次会议", "在第一届…第四次会议上".
_SESSION = re.compile(
    r"(?:向|在|我们)第(?P<term>[一二三四五六七八九十]+)届\s*全国人民代表大会\s*第(?P<session>[一二三四五六七八九十]+)次会议"
)
# The years of the sessions of the first six congresses; from the seventh (1988) on, one a year, five a term.
_EARLY_SESSIONS = {
    1: (1954, 1955, 1956, 1957, 1958),
    2: (1959, 1960, 1962, 1963),
    3: (1964,),
    4: (1975,),
    5: (1978, 1979, 1980, 1981, 1982),
    6: (1983, 1984, 1985, 1986, 1987),
}
# Who delivers the report and to whom: "我代表金湾区人民政府", "在广东省第十四届人民代表大会".
_DELIVERED = re.compile(
    r"我代表(?P<by>[\u4e00-\u9fff]{2,20}?)人民政府|在(?P<to>[\u4e00-\u9fff]{2,20}?)第[一二三四五六七八九十]+届\s*人民代表大会"
)
# Who issues a document, on a line of its own at its head or foot: "黔东南州统计局",
# "发布机构：某某县人民政府", "某某镇人民政府办公室".
_ISSUER = re.compile(
    r"^(?:(?:发布机构|来源|发文机关)[:：]\s*)?(?P<by>[\u4e00-\u9fff]{2,20}?)(?:统计局|人民政府(?:办公室)?|政府办公室|党政办(?:公室)?)\s*$",
    re.MULTILINE,
)
_FOOT = 300  # characters at the end of a text where an issuer signs

# How a report names its own place: 全镇, 我区, 本县 (全国 and 我国 are everyone's).
_SELF = re.compile(r"(?:全|我|本)(自治区|街道|省|市|区|县|州|旗|镇|乡)")

# Administrative units, longest first so "自治区" wins over "区".
_ADMIN_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "街道", "省", "市", "区", "县", "镇", "乡", "旗")
_ADMIN_SUFFIX = "|".join(_ADMIN_SUFFIXES)
_PARENTHESISED = re.compile(r"[(（][^()（）]*[)）]")
# A title names its place before the year or the kind of report:
# "南朗镇2021年工作安排", "2020年某某县人民政府工作报告".
_PLACE_IN_TITLE = re.compile(
    rf"^(?:\d{{4}}\s*年度?\s*)?(?P<place>\S+?(?:{_ADMIN_SUFFIX}))(?=\s*(?:人民政府|政府|\d{{4}}|工作|国民经济|年度))"
)
# jieba tags some common words as place names: 城市, 上市, 新区, 湾区… A
# one-character stem is almost always such a word; the real districts named
# that way are the compass ones (中山市东区, 西区, 南区).
_ONE_CHAR_PLACE_STEMS = frozenset("东西南北")
_REGION_NOT_PLACE = ("大湾区",)  # economic regions that look like districts
# Kinds of town, not towns: 中心镇, 卫星镇, 重点镇, 民族乡…
_GENERIC_STEMS = frozenset(
    "中心 卫星 建制 专业 重点 特色 示范 民族 边境 历史 文化 旅游 工业 农业 商贸 生态 美丽 宜居 全国".split()
)
_NAME_FLAGS = ("ns", "nr", "nz")  # jieba's tags of proper names
_TOWN_SUFFIXES = ("镇", "乡", "街道")


@dataclass(frozen=True)
class Metadata:
    title: str
    place: str | None  # full hierarchy: 广东省珠海市斗门区; 全国 for the nation
    level: str | None  # 全国 | 省 | 市 | 区县 | 镇
    year: int | None
    kind: str | None = None  # 政府工作报告, 工作计划, 国民经济和社会发展统计公报 …


def is_title_line(line: str) -> bool:
    """A short line naming the kind of report, e.g. "珠海市斗门区2020年工作计划"."""
    return (
        len(line) <= _TITLE_MAX
        and _TITLE_WORDS.search(line) is not None
        and not ends_sentence(line)
        and not line.endswith(("：", ":"))
        and NUMBERED_HEADING.match(line) is None
    )


def opening_lines(lines: list[str]) -> list[str]:
    """The lines above the first line of prose: where a page puts its title."""
    for index, line in enumerate(lines):
        if len(line) > _PROSE_MIN or ends_sentence(line):
            return lines[:index]
    return lines


def find_title_line(lines: list[str]) -> int | None:
    """Index of the report's title line among the opening lines, if any."""
    for index, line in enumerate(opening_lines(lines)):
        if is_title_line(line):
            return index
    return None


def clean_title(title: str) -> str:
    """The title without a web page's furniture: "2023年某市统计公报 | 某市人民政府"
    → "2023年某市统计公报"; the part naming the kind of document is kept."""
    parts = [piece for part in _TITLE_SEPARATOR.split(title.strip()) if part for piece in _dash_split(part)]
    if len(parts) < 2:
        return title.strip()
    kept = [part for part in parts if _SITE.search(part) is None or _TITLE_WORDS.search(part)]
    titled = [part for part in kept if _TITLE_WORDS.search(part)]
    return titled[0] if titled else " ".join(kept or parts)


def _dash_split(part: str) -> list[str]:
    tail = _DASHED_TAIL.search(part)
    if tail is None or tail.start() == 0 or _SITE.search(tail[1]) is None or _TITLE_WORDS.search(tail[1]):
        return [part]
    return [part[: tail.start()], tail[1]]


def extract_metadata(text: str, filename: str, overrides: Overrides | None = None) -> Metadata:
    """Title, place, level and year of a cleaned report: text first, file name
    second, what the user set (front matter, sidecar) last."""
    overrides = overrides or Overrides()
    stem = PurePath(filename).stem
    lines = text.split("\n") if text else []
    own_title = _text_title(lines)
    # Places and years are matched in Simplified characters; the title stays as written.
    title, opening, name, body = (to_simplified(t) for t in (own_title or "", text[:_OPENING], stem, text))
    mentions = Mentions(body)
    found = _place(title, opening, name, body, mentions)
    year = overrides.year or _year(*(arabic_years(t) for t in (title, body, name)))
    kind = _kind(title, name, body[: _OPENING * 2])
    place, level = (found.name, found.level) if found else (None, None)
    if overrides.place:  # kept as the user wrote it; its level and hierarchy are still worked out
        place = overrides.place
        found = resolve(to_simplified(place), mentions)
        level = found.level if found else level_of_name(place)
        found = found or Place((place,), level or TOWN)
    level = overrides.level or level
    title = overrides.title or _title(own_title, found, year, kind, stem)
    return Metadata(title, place, level, year, kind)


def _text_title(lines: list[str]) -> str | None:
    """The title line of the text, cleaned; a title split over two lines
    ("政府工作报" / "告") is joined."""
    opening = opening_lines(lines)
    for index, line in enumerate(opening):
        following = opening[index + 1] if index + 1 < len(opening) else ""
        if not is_title_line(line) and 0 < len(following) <= 2 and is_title_line(line + following):
            line += following  # "政府工作报" + "告"
        line = clean_title(line)
        if is_title_line(line) and _CLAUSE.search(line) is None:
            return line
    return None


def _title(own: str | None, place: Place | None, year: int | None, kind: str | None, stem: str) -> str:
    """The text's own title if it names the place and a year; else one composed of them."""
    if own is not None and _names_place(own, place) and (year is None or _YEAR.search(arabic_years(own))):
        return own
    if place is None and year is None:
        return own or stem
    where = "" if place is None else ("国务院" if place == THE_NATION and kind == REPORT else place.display)
    when = f"{year}年" if year else ""
    return f"{when}{where}{kind or REPORT}"


def _names_place(title: str, place: Place | None) -> bool:
    if place is None:
        return True
    simplified = to_simplified(title)
    return any(len(alias) >= 2 and alias in simplified for part in place.parts for alias in unit_aliases(part))


def _kind(title: str, name: str, opening: str) -> str:
    """What kind of document: from the title, the file name, else how the text begins."""
    for text in (title, name):
        match = _KIND.search(text)
        if match is not None:
            if match["bulletin"]:
                return BULLETIN
            return REPORT if match["report"] else match["plan"]
    if "统计公报" in opening:
        return BULLETIN
    # A 政府工作报告 is addressed to the congress; what else plans a year is a plan.
    return REPORT if _ADDRESSES_CONGRESS.search(opening) else "工作计划"


def _year(title: str, text: str, name: str) -> int | None:
    for found in (
        _taught_year(title),
        _first_year(title, _YEAR),
        *(_first_year(text[: _OPENING * 2], date_line) for date_line in _DATE_LINES),
        _session_year(text[: _OPENING * 2]),
        _taught_year(text),
        _first_year(name, _NAME_YEAR),
    ):
        if found is not None:
            return found
    return None


def _first_year(text: str, pattern: re.Pattern[str]) -> int | None:
    for match in pattern.finditer(text):
        year = int(match.group(1))
        if _FIRST_YEAR <= year <= _LAST_YEAR:
            return year
    return None


def _session_year(text: str) -> int | None:
    """The year of the national congress session the text is read to."""
    match = _SESSION.search(text)
    if match is None:
        return None
    term, session = (int(cn2an.cn2an(match[group], "smart")) for group in ("term", "session"))
    if term >= 7:
        return 1988 + 5 * (term - 7) + session - 1
    years = _EARLY_SESSIONS.get(term, ())
    return years[session - 1] if 0 < session <= len(years) else None


def _taught_year(text: str) -> int | None:
    """The year the text first says it plans, or reviews (the report is the next year's)."""
    review = _REVIEWS.search(text)
    plan = _PLANS.search(text)
    if review is not None and (plan is None or review.start() <= plan.start()):
        year = int(review.group(1)) + 1
    elif plan is not None:
        year = int(plan.group(1))
    else:
        return None
    return year if _FIRST_YEAR <= year <= _LAST_YEAR else None


def _place(title: str, opening: str, name: str, body: str, mentions: Mentions) -> Place | None:
    """The report's place (all texts in Simplified characters)."""
    title_places = _resolved(place_phrases(title), mentions)
    if not title_places and (_NATIONAL.search(opening) or _names_nation(title)):
        return THE_NATION
    if title_places:
        return max(title_places, key=lambda p: len(p.parts))
    # The document's own unit, as its title, its congress or its issuer names it, before any count of mentions.
    unknown = _PLACE_IN_TITLE.match(_PARENTHESISED.sub("", title).strip())
    for phrase in (
        *([unknown["place"]] if unknown is not None else []),
        *(m["by"] or m["to"] for m in _DELIVERED.finditer(opening)),
        *(m["by"] for m in _ISSUER.finditer(f"{opening}\n{body[-_FOOT:]}")),
    ):
        place = resolve(phrase, mentions)
        if place is not None:
            return place
    # The file name is a label someone chose; a place named in passing is not.
    named = _resolved(place_phrases(name), mentions)
    if named:
        return max(named, key=lambda p: len(p.parts))
    if _names_nation(name):
        return THE_NATION
    runs = _resolved(_place_runs(opening), mentions)
    # A report calls its own place 全镇, 我区, 本县…: the first place of that kind
    # is the report's; else the first below a province (a province is named
    # in passing more often than a city or county is).
    own = _own_kind(body)
    ranked = [
        *(p for p in runs if own is not None and p.unit.endswith(own)),
        *(p for p in runs if p.level not in (NATION, "省")),
        *runs,
    ]
    return ranked[0] if ranked else None


def _own_kind(text: str) -> str | None:
    """The kind of unit the report speaks for, by how it names itself (全镇, 我区, 本县)."""
    counts = Counter(_SELF.findall(text))
    return counts.most_common(1)[0][0] if counts else None


def _names_nation(title: str) -> bool:
    return any(alias in title for alias in unit_aliases(NATION))


def _resolved(phrases: list[str], mentions: Mentions) -> list[Place]:
    return [place for phrase in phrases if (place := resolve(phrase, mentions)) is not None]


def _place_runs(text: str) -> list[str]:
    """Adjacent administrative place names joined: "珠海市" + "斗门区" → "珠海市斗门区"."""
    runs: list[str] = []
    run_end = -1
    position = 0
    # Imported here: the tagger reads jieba's whole dictionary (~0.4 s), which asking a question never needs.
    import jieba.posseg

    # The last two tokens not taken as names, with their starts: jieba splits names
    # it does not know ("良渚" + "街道", "江川" + "路" + "街道").
    loose: list[tuple[jieba.posseg.pair, int]] = []
    for token in jieba.posseg.cut(text):
        start, position = position, position + len(token.word)
        name = token.word if _may_name_place(token) and _is_admin_name(token.word) else None
        if name is None and token.word in _ADMIN_SUFFIXES:
            for first in range(len(loose) - 1, -1, -1):
                joined = "".join(t.word for t, _ in loose[first:]) + token.word
                if loose[first][0].flag in _NAME_FLAGS and _is_admin_name(joined):
                    name, start = joined, loose[first][1]
                    break
        if name is None:
            loose = [*loose[-1:], (token, start)]
            continue
        loose = []
        if runs and run_end == start:
            runs[-1] += name
        else:
            runs.append(name)
        run_end = position
    return runs


def _may_name_place(token: jieba.posseg.pair) -> bool:
    """jieba tags places ns, but many a town nr or nz (白蕉镇, 沙溪镇): a town's
    name is taken from those too."""
    return token.flag == "ns" or (token.flag in _NAME_FLAGS and token.word.endswith(_TOWN_SUFFIXES))


def _is_admin_name(word: str) -> bool:
    suffix = next((s for s in _ADMIN_SUFFIXES if word.endswith(s)), None)
    if suffix is None or word.endswith(_REGION_NOT_PLACE):
        return False
    stem = word[: -len(suffix)]
    if stem in _GENERIC_STEMS:
        return False
    return len(stem) >= 2 or (len(stem) == 1 and stem in _ONE_CHAR_PLACE_STEMS)


# --- overrides ------------------------------------------------------------------

OVERRIDE_KEYS = ("title", "place", "level", "year")
SIDECAR_SUFFIX = ".meta.json"

# A leading block between "---" lines, as in Jekyll or Hugo. It is taken for
# front matter only when a line sets one of our keys: a scraped page may well
# start with a rule of dashes.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<body>.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_SETS_A_KEY = re.compile(rf"^(?:{'|'.join(OVERRIDE_KEYS)})[ \t]*:", re.MULTILINE)


class InvalidMetadata(Exception):
    """Front matter or a sidecar file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Overrides:
    """Metadata a user set for a report; None where they set nothing."""

    title: str | None = None
    place: str | None = None
    year: int | None = None
    level: str | None = None

    def over(self, other: Overrides) -> Overrides:
        """These values, and the other's where these are unset."""
        return Overrides(
            self.title or other.title, self.place or other.place, self.year or other.year, self.level or other.level
        )


def front_matter_end(text: str) -> int:
    """Offset just past the text's front matter, or 0 if it has none."""
    match = _front_matter(text)
    return match.end() if match is not None else 0


def split_front_matter(text: str) -> tuple[Overrides, str]:
    """(what the front matter sets, the text without it). Keys other than ours
    are allowed and ignored: the file may serve other tools too."""
    match = _front_matter(text)
    if match is None:
        return Overrides(), text
    try:
        values = yaml.safe_load(match["body"])
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" on line {where.line + 2}" if where is not None else ""  # +1 for 0-based, +1 for the "---"
        raise InvalidMetadata(f"front matter is not valid YAML{line}") from None
    if not isinstance(values, dict):
        raise InvalidMetadata("front matter is not a list of `key: value` lines")
    return _overrides(values, "front matter"), text[match.end() :]


def _front_matter(text: str) -> re.Match[str] | None:
    match = _FRONT_MATTER.match(text)
    return match if match is not None and _SETS_A_KEY.search(match["body"]) else None


def sidecar_path(path: Path) -> Path:
    """Where a report's sidecar lives: 2020年报告.meta.json beside 2020年报告.pdf."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> Overrides:
    """What the report's sidecar file sets; nothing if there is none."""
    sidecar = sidecar_path(path)
    try:
        raw = sidecar.read_bytes()
    except FileNotFoundError:
        return Overrides()
    except OSError as error:
        raise InvalidMetadata(f"{sidecar.name} could not be read ({error.strerror or error})") from None
    try:
        values = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidMetadata(f"{sidecar.name} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InvalidMetadata(f"{sidecar.name} is not valid JSON ({error.msg} on line {error.lineno})") from None
    if not isinstance(values, dict):
        raise InvalidMetadata(f'{sidecar.name} must hold an object such as {{"year": 2020}}')
    # Unlike front matter, a sidecar is ours alone: an unknown key is a typo.
    unknown = sorted(set(values) - set(OVERRIDE_KEYS))
    if unknown:
        raise InvalidMetadata(f"{sidecar.name} has unknown key {unknown[0]!r} (use {', '.join(OVERRIDE_KEYS)})")
    return _overrides(values, sidecar.name)


def _overrides(values: dict[Any, Any], origin: str) -> Overrides:
    title, place, level, year = (values.get(key) for key in OVERRIDE_KEYS)
    for key, value in (("title", title), ("place", place), ("level", level)):
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise InvalidMetadata(f"{origin}: {key} must be a non-empty text")
    if level is not None and level.strip() not in LEVELS:
        raise InvalidMetadata(f"{origin}: level must be one of {', '.join(LEVELS)}")
    if year is not None:
        # YAML and JSON give 2020 as a number; "2020" in quotes will do too.
        number = int(year) if isinstance(year, int | str) and str(year).strip().isdecimal() else None
        if isinstance(year, bool) or number is None or not _FIRST_YEAR <= number <= _LAST_YEAR:
            raise InvalidMetadata(f"{origin}: year must be a year such as 2020")
        year = number
    return Overrides(
        title.strip() if title else None, place.strip() if place else None, year, level.strip() if level else None
    )
