"""The line above the input: passages per answer and the sticky filters."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from qa.tui.commands import describe_filters
from qa.types import Filters


class FilterBar(Static):
    def show(self, k: int, filters: Filters) -> None:
        text = Text(f" 每问 {k} 条")
        if filters.active:
            text.append("  │  过滤：")
            text.append(describe_filters(filters), style="bold")
            text.append("  (ctrl+l 清除)")
        else:
            text.append("  │  无过滤（输入 @地点 @年份 设置）")
        self.update(text)
