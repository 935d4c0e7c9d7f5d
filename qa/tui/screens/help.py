"""F1 / ?: the keys, on one screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("提问", ""),
    ("Enter", "发送问题"),
    ("↑ / ↓", "翻看以前的问题"),
    ("@斗门 @2020 问题", "按地点 / 年份过滤（持续有效）"),
    ("/k 8", "每问显示 8 条段落"),
    ("/compare 问题", "对比各报告的答案"),
    ("ctrl+l", "清除过滤"),
    ("答案", ""),
    ("Esc", "在输入框与答案之间切换"),
    ("Tab / j k ↑ ↓", "在答案卡片间移动"),
    ("Enter / 点击", "在原文中查看段落"),
    ("c", "复制引文和段落"),
    ("m", "对比各报告（该卡片的问题）"),
    ("ctrl+e", "导出对话为 Markdown"),
    ("对比", ""),
    ("Enter", "在原文中查看该报告的段落"),
    ("l", "级别：全部/全国/省/市/区县/镇"),
    ("f / /", "按地点 / 年份过滤（@斗门 @2020）"),
    ("ctrl+e / ctrl+s", "导出为 Markdown / CSV"),
    ("Esc / q", "返回"),
    ("全局", ""),
    ("ctrl+o", "文档列表"),
    ("ctrl+r", "重建索引"),
    ("ctrl+p", "命令面板（主题、清除历史…）"),
    ("F1 / ?", "本帮助"),
    ("ctrl+q", "退出"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "app.pop_screen", "关闭")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, meaning in KEYS:
            if not meaning and table.row_count:
                table.add_row()  # a blank line between groups
            table.add_row(Text(key), Text(meaning), style="" if meaning else "dim")
        with VerticalScroll(id="help"):
            yield Static(table)
