"""The main screen: a scrolling conversation of questions and answer cards."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from qa.tui.commands import parse_line
from qa.tui.format import markdown_export
from qa.tui.widgets.build_panel import BuildPanel
from qa.tui.widgets.filter_bar import FilterBar
from qa.tui.widgets.passage_card import PassageCard
from qa.tui.widgets.question_input import QuestionInput
from qa.tui.widgets.status_bar import StatusBar
from qa.tui.widgets.turn import Turn
from qa.types import Filters

DEFAULT_K = 5
WELCOME = (
    "向政府工作报告提问，例如：斗门2020年准备建多少座5G基站？\n"
    "回车提问 · Tab / j k 在答案间移动 · Enter 查看上下文 · F1 帮助"
)


class ChatScreen(Screen):
    BINDINGS = [
        Binding("ctrl+l", "clear_filters", "清除过滤"),
        Binding("ctrl+e", "export", "导出", priority=True),  # over Input's end-of-line
        Binding("escape", "toggle_focus", "答案/输入", show=False),
        Binding("i,slash", "focus_input", "输入", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.k = DEFAULT_K
        self.filters = Filters()

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with VerticalScroll(id="conversation"):
            yield Static(WELCOME, id="welcome")
        yield BuildPanel(id="build")
        yield FilterBar(id="filters")
        yield QuestionInput(self.app.history, id="question")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FilterBar).show(self.k, self.filters)
        self.query_one(QuestionInput).focus()
        for attribute in ("engine_version", "model_state"):
            self.watch(self.app, attribute, lambda _: self._refresh_stale_turns(), init=False)

    def _refresh_stale_turns(self) -> None:
        for turn in self.query(Turn):
            if turn.stale:
                turn.search()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        parsed = parse_line(event.value, self.filters)
        event.input.value = ""
        if parsed.error:
            self.notify(parsed.error, severity="warning")
            return
        if parsed.k is not None:
            self.k = parsed.k
        self.filters = parsed.filters
        self.query_one(FilterBar).show(self.k, self.filters)
        if not parsed.question:
            if not event.value.strip():
                self.notify("请输入问题", severity="warning")
            return
        self.app.history.add(event.value.strip())
        conversation = self.query_one("#conversation", VerticalScroll)
        turn = Turn(parsed.question, self.k, self.filters)
        conversation.mount(turn)
        conversation.scroll_end(animate=False)

    def action_clear_filters(self) -> None:
        self.filters = Filters()
        self.query_one(FilterBar).show(self.k, self.filters)
        self.notify("已清除过滤")

    def action_focus_input(self) -> None:
        self.query_one(QuestionInput).focus()

    def action_toggle_focus(self) -> None:
        if isinstance(self.focused, PassageCard):
            self.action_focus_input()
            return
        turns = self.query(Turn)
        cards = turns.last().query(PassageCard) if turns else []
        if cards:
            cards.first().focus()

    def action_export(self) -> None:
        results = [turn.result for turn in self.query(Turn) if turn.result is not None]
        if not results:
            self.notify("还没有可导出的回答", severity="warning")
            return
        name = f"qa-{datetime.now():%Y%m%d-%H%M%S}.md"
        text = markdown_export(results)
        for folder in (Path.cwd(), self.app.settings.data_dir):
            path = folder / name
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            except OSError:
                continue
            self.notify(f"已导出到 {path}", title="导出")
            return
        self.notify("无法写入导出文件", severity="error")
