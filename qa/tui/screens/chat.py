"""The main screen: a scrolling conversation of questions and answer cards."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from qa.tui.commands import parse_line
from qa.tui.format import markdown_export
from qa.tui.typed import qa_app
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
        Binding("m", "compare_turn", "对比各报告"),  # on a focused answer card
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
        yield QuestionInput(qa_app(self).history, id="question")
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
        if parsed.compare:
            qa_app(self).history.add(event.value.strip())
            qa_app(self).open_compare(parsed.compare, self.filters)
            return
        if not parsed.question:
            if not event.value.strip():
                self.notify("请输入问题", severity="warning")
            return
        qa_app(self).history.add(event.value.strip())
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
        cards = turns.last().query(PassageCard) if turns else None
        if cards:
            cards.first().focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "compare_turn":
            return isinstance(self.focused, PassageCard)  # shown in the footer only on a card
        return True

    def action_compare_turn(self) -> None:
        """「对比各报告」: the focused card's question, over every report."""
        turn = next((a for a in self.focused.ancestors if isinstance(a, Turn)), None) if self.focused else None
        if turn is None:
            return
        if turn.compare_filters is not None:  # the comparison the turn showed, in full
            qa_app(self).open_compare(turn.question, turn.compare_filters)
        else:  # across reports: the turn's place filter would leave one
            qa_app(self).open_compare(turn.question, replace(turn.filters, place=None))

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()  # the compare key shows on cards only

    def action_export(self) -> None:
        results = [turn.result for turn in self.query(Turn) if turn.result is not None]
        if not results:
            self.notify("还没有可导出的回答", severity="warning")
            return
        name = f"qa-{datetime.now():%Y%m%d-%H%M%S}.md"
        qa_app(self).save_export(name, markdown_export(results))
