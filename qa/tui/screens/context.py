"""A passage in its document: the whole cleaned text, scrolled to and marking the passage."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from qa.tui.format import highlighted
from qa.types import Document, Passage


class ContextScreen(Screen):
    COMPONENT_CLASSES = {"context-screen--passage", "context-screen--answer"}
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "返回"),
        Binding("c", "copy", "复制段落"),
        Binding("j", "scroll(1)", "下", show=False),
        Binding("k", "scroll(-1)", "上", show=False),
    ]

    def __init__(
        self, document: Document, passage: Passage | None = None, answer: tuple[int, int] | None = None
    ) -> None:
        super().__init__()
        self.document = document
        self.passage = passage
        self.answer = answer  # offsets of the answer sentence in passage.text

    def compose(self) -> ComposeResult:
        d = self.document
        head = " · ".join(p for p in (d.title, d.place or "", str(d.year or "")) if p)
        where = d.source if self.passage is None else f"¶{self.passage.paragraph} {self.passage.section} · {d.source}"
        yield Static(Text.assemble(head, "\n", (where, "not bold dim")), id="context-title")
        with VerticalScroll(id="document"):
            yield from self._paragraphs()
        yield Footer()

    def _paragraphs(self):
        """One widget per line of the text, so the view can scroll to the passage's line."""
        marks = []  # (start, end, style) in document offsets
        if self.passage is not None:
            marks.append(
                (self.passage.start, self.passage.end, self.get_component_rich_style("context-screen--passage"))
            )
            if self.answer is not None:
                a, b = (self.passage.start + i for i in self.answer)
                marks.append((a, b, self.get_component_rich_style("context-screen--answer")))
        offset = 0
        for line in self.document.text.split("\n"):
            line_start, line_end = offset, offset + len(line)
            offset = line_end + 1
            if not line.strip():
                continue
            spans = [
                (max(start, line_start) - line_start, min(end, line_end) - line_start, style)
                for start, end, style in marks
                if start < line_end and line_start < end
            ]
            yield Static(highlighted(line, spans), classes="paragraph -passage" if spans else "paragraph")

    def on_mount(self) -> None:
        self.call_after_refresh(self._scroll_to_passage)

    def _scroll_to_passage(self) -> None:
        marked = self.query(".-passage")
        if marked:
            self.query_one("#document").scroll_to_widget(marked.first(), animate=False, top=True)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#document", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_copy(self) -> None:
        if self.passage is not None:
            self.app.copy_to_clipboard(self.passage.text)
            self.notify("已复制段落")
