"""The question line: an Input with Up/Down history recall."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

from qa.tui.history import History, Recall


class QuestionInput(Input):
    BINDINGS = [
        Binding("up", "recall(-1)", "上一问", show=False),
        Binding("down", "recall(1)", "下一问", show=False),
    ]

    def __init__(self, history: History, **kwargs) -> None:
        super().__init__(placeholder="用中文提问，回车发送   @地点 @年份 过滤 · /k 8 条数 · F1 帮助", **kwargs)
        self.recall = Recall(history)

    def action_recall(self, direction: int) -> None:
        value = self.recall.older(self.value) if direction < 0 else self.recall.newer()
        if value is not None:
            self.value = value
            self.cursor_position = len(value)

    def on_input_submitted(self) -> None:
        self.recall.reset()
