"""Title, place and year of a report: read from its cleaned text and file
name, unless the user set them in front matter or a sidecar file."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import jieba
import jieba.posseg
import yaml

from qa.corpus.chunk import NUMBERED_HEADING, ends_sentence

jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at INFO

# Words that name the kind of document in a report's title line.
_TITLE_WORDS = re.compile(r"报告|计划|工作安排|规划|要点|总结|纲要|施政")
_TITLE_MAX = 60
# The title sits above the body; the first line of prose ends the search.
_PROSE_MIN = 60

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_YEAR_IN_TEXT = re.compile(r"(?<![\d.])(\d{4})\s*年")  # "2000亩" is an area, "2000年" a year
_FIRST_YEAR, _LAST_YEAR = 1990, 2100
# Characters of text searched when the title says nothing. A report names its
# place in its first paragraph; and jieba's guessing of unknown words, needed
# for names like 南朗镇, gets slow on long stretches of unusual text.
_OPENING = 500

# Administrative units, longest first so "自治区" wins over "区".
_ADMIN_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "街道", "省", "市", "区", "县", "镇", "乡", "旗")
_PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省")
_ADMIN_SUFFIX = "|".join(_ADMIN_SUFFIXES)
_PARENTHESISED = re.compile(r"[(（][^()（）]*[)）]")
# A title names its place before the year or the kind of report:
# "珠海市斗门区2020年工作计划", "2020年江门市人民政府工作报告".
_PLACE_IN_TITLE = re.compile(
    rf"^(?:\d{{4}}\s*年度?\s*)?(?P<place>\S+?(?:{_ADMIN_SUFFIX}))(?=\s*(?:人民政府|政府|\d{{4}}|工作|国民经济|年度))"
)
# jieba tags some common words as place names: 城市, 上市, 新区, 湾区… A
# one-character stem is almost always such a word; the real districts named
# that way are the compass ones (中山市东区, 西区, 南区).
_ONE_CHAR_PLACE_STEMS = frozenset("东西南北")
_REGION_NOT_PLACE = ("大湾区",)  # economic regions that look like districts


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


def extract_metadata(text: str, filename: str) -> tuple[str, str | None, int | None]:
    """(title, place, year) of a cleaned report; text first, file name second."""
    stem = PurePath(filename).stem
    lines = text.split("\n") if text else []
    title = _title(lines) or stem
    opening = text[:_OPENING]
    place = _place_in_title(title) or _place_in_opening(opening) or _place_in_title(stem)
    year = _year(title, _YEAR) or _year(opening, _YEAR_IN_TEXT) or _year(stem, _YEAR)
    return title, place, year


def _title(lines: list[str]) -> str | None:
    index = find_title_line(lines)
    if index is not None:
        return lines[index]
    # No line names a report: the first short, non-numbered line will do.
    for line in opening_lines(lines):
        if len(line) <= _TITLE_MAX and NUMBERED_HEADING.match(line) is None:
            return line
    return None


def _year(text: str, pattern: re.Pattern[str]) -> int | None:
    for match in pattern.finditer(text):
        year = int(match.group(1))
        if _FIRST_YEAR <= year <= _LAST_YEAR:
            return year
    return None


def _place_in_title(title: str) -> str | None:
    """The place a title starts with, once asides like "(广东省)" are set apart."""
    match = _PLACE_IN_TITLE.match(_PARENTHESISED.sub("", title).strip())
    if match is None or not _is_admin_name(match["place"]):
        return None
    return match["place"]


def _place_in_opening(opening: str) -> str | None:
    """The first place below province level the opening names (the report's own
    place comes first: "…也是南朗镇进入新发展阶段…"), else the first province."""
    runs = _place_runs(opening)
    for run in runs:
        if not run.endswith(_PROVINCE_SUFFIXES):
            return run
    return runs[0] if runs else None


def _place_runs(text: str) -> list[str]:
    """Adjacent administrative place names joined: "珠海市" + "斗门区" → "珠海市斗门区"."""
    runs: list[str] = []
    run_end = -1
    position = 0
    loose: tuple[jieba.posseg.pair, int] | None = None  # last token not taken as a name, and its start
    for token in jieba.posseg.cut(text):
        start, position = position, position + len(token.word)
        name = token.word if token.flag == "ns" and _is_admin_name(token.word) else None
        if name is None and loose is not None and loose[0].flag == "ns" and token.word in _ADMIN_SUFFIXES:
            # jieba splits names it does not know: "良渚" + "街道".
            joined = loose[0].word + token.word
            if _is_admin_name(joined):
                name, start = joined, loose[1]
        if name is None:
            loose = (token, start)
            continue
        loose = None
        if runs and run_end == start:
            runs[-1] += name
        else:
            runs.append(name)
        run_end = position
    return runs


def _is_admin_name(word: str) -> bool:
    suffix = next((s for s in _ADMIN_SUFFIXES if word.endswith(s)), None)
    if suffix is None or word.endswith(_REGION_NOT_PLACE):
        return False
    stem = word[: -len(suffix)]
    return len(stem) >= 2 or (len(stem) == 1 and stem in _ONE_CHAR_PLACE_STEMS)


# --- overrides ------------------------------------------------------------------

OVERRIDE_KEYS = ("title", "place", "year")
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

    def over(self, other: Overrides) -> Overrides:
        """These values, and the other's where these are unset."""
        return Overrides(self.title or other.title, self.place or other.place, self.year or other.year)

    def apply(self, title: str, place: str | None, year: int | None) -> tuple[str, str | None, int | None]:
        return self.title or title, self.place or place, self.year or year


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
    title, place, year = (values.get(key) for key in OVERRIDE_KEYS)
    for key, value in (("title", title), ("place", place)):
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise InvalidMetadata(f"{origin}: {key} must be a non-empty text")
    if year is not None:
        # YAML and JSON give 2020 as a number; "2020" in quotes will do too.
        number = int(year) if isinstance(year, int | str) and str(year).strip().isdecimal() else None
        if isinstance(year, bool) or number is None or not _FIRST_YEAR <= number <= _LAST_YEAR:
            raise InvalidMetadata(f"{origin}: year must be a year such as 2020")
        year = number
    return Overrides(title.strip() if title else None, place.strip() if place else None, year)
