"""One ranked passage: citation, highlighted text, a weak-match mark. Focusable; Enter opens it in context."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from qa.render import citation, passage_text
from qa.tui.typed import qa_app
from qa.types import Hit


class PassageCard(Widget, can_focus=True):
    COMPONENT_CLASSES = {"passage-card--citation", "passage-card--answer", "passage-card--term"}
    BINDINGS = [
        Binding("enter", "open", "打开上下文"),
        Binding("c", "copy", "复制"),
        Binding("j,down", "move(1)", "下一条", show=False),
        Binding("k,up", "move(-1)", "上一条", show=False),
    ]

    def __init__(self, hit: Hit) -> None:
        super().__init__(classes="-weak" if hit.weak else "")
        self.hit = hit
        self.border_title = f"{hit.rank}"
        # No score: a fusion score means little to a reader, and its second decimal
        # differs between CPUs (the model's kernels per instruction set); the mark does not.
        self.border_subtitle = "弱匹配" if hit.weak else ""

    def render(self) -> Text:
        style = self.get_component_rich_style
        body = passage_text(self.hit, style("passage-card--answer"), style("passage-card--term"))
        return Text.assemble((citation(self.hit), style("passage-card--citation")), "\n", body)

    def on_click(self) -> None:
        self.action_open()

    def on_focus(self) -> None:
        self.scroll_visible()

    def action_open(self) -> None:
        hit = self.hit
        qa_app(self).open_document(hit.passage.doc_id, hit.passage, (hit.answer_start, hit.answer_end))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(f"{citation(self.hit)}\n{self.hit.passage.text}")
        self.notify("已复制引文与段落")

    def action_move(self, delta: int) -> None:
        cards = list(self.screen.query(PassageCard))
        i = cards.index(self) + delta
        if 0 <= i < len(cards):
            cards[i].focus()
