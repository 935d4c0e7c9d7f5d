"""What the user typed → a question, sticky filters, or a command (plain logic, no UI)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.types import Filters

MAX_K = 20
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True)
class Parsed:
    question: str  # "" when the line only set filters or was a command
    filters: Filters  # the filters in force after this line
    k: int | None = None  # set by `/k N`
    error: str | None = None  # a command the user mistyped
    compare: str | None = None  # set by `/compare 问题`: the question to compare across reports


def parse_line(line: str, filters: Filters) -> Parsed:
    """`@斗门 @2020 question…`, `@斗门 2020 question…`, `/k 8` or `/compare question…`.

    Filter tokens lead the line and stay in force for later questions; a bare
    year counts as a filter only right after an @ token, so `2020 年…` stays a question.
    """
    text = line.strip()
    if text.startswith("/"):
        return _command(text, filters)
    tokens = text.split()
    used = 0
    after_at = False
    for token in tokens:
        if token.startswith("@") and len(token) > 1:
            value = token[1:]
            if _YEAR.fullmatch(value):
                filters = replace(filters, year=int(value))
            else:
                filters = replace(filters, place=value)
            after_at = True
        elif after_at and _YEAR.fullmatch(token):
            filters = replace(filters, year=int(token))
        else:
            break
        used += 1
    return Parsed(" ".join(tokens[used:]) if used else text, filters)


def _command(text: str, filters: Filters) -> Parsed:
    name, _, arg = text[1:].partition(" ")
    if name == "k":
        if arg.strip().isdigit() and 1 <= int(arg) <= MAX_K:
            return Parsed("", filters, k=int(arg))
        return Parsed("", filters, error=f"/k 需要 1 到 {MAX_K} 之间的数字")
    if name == "compare":
        # `/compare @2020 question`: leading filter tokens work (and stay) as on any line.
        parsed = parse_line(arg, filters) if not arg.strip().startswith("/") else Parsed("", filters)
        if not parsed.question:
            return Parsed("", parsed.filters, error="/compare 需要一个问题，例如：/compare 城镇新增就业目标是多少？")
        return Parsed("", parsed.filters, compare=parsed.question)
    return Parsed("", filters, error=f"未知命令 /{name}；可用：/k N，/compare 问题")


def describe_filters(filters: Filters) -> str:
    parts = []
    if filters.place:
        parts.append(f"地点 {filters.place}")
    if filters.year:
        parts.append(f"年份 {filters.year}")
    if filters.level:
        parts.append(f"级别 {filters.level}")
    return " · ".join(parts)


def parse_filters(text: str, filters: Filters) -> Filters:
    """The compare screen's filter line: `@斗门 @2020` (the @ optional); an empty line clears both.
    The level is kept: it has its own key."""
    place, year = None, None
    for token in text.split():
        value = token.removeprefix("@")
        if _YEAR.fullmatch(value):
            year = int(value)
        elif value:
            place = value
    return replace(filters, place=place, year=year)


def filters_text(filters: Filters) -> str:
    """The place and year as typed: `@斗门 @2020`."""
    return " ".join(f"@{v}" for v in (filters.place, filters.year) if v)
