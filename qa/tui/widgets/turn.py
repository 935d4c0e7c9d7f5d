"""One question and its answer cards; re-searches itself when the engine improves."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, Static

from qa.errors import QAError
from qa.render import FittedComparison, answer_line
from qa.search.compare import Comparison, comparison_filters
from qa.search.searcher import EmptyQuestion, SearchResult
from qa.tui.commands import describe_filters
from qa.tui.typed import qa_app
from qa.tui.widgets.passage_card import PassageCard
from qa.types import Filters

SHOWN_QUESTION_CHARS = 300  # a pasted essay should not fill the screen


class Turn(Vertical):
    def __init__(self, question: str, k: int, filters: Filters) -> None:
        super().__init__()
        self.question = question
        self.k = k
        self.filters = filters
        self.result: SearchResult | None = None
        self.error: str | None = None
        # A question across places or years (各省…, 历年…): the filters its comparison ran with.
        self.compare_filters: Filters | None = None
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        shown = self.question
        if len(shown) > SHOWN_QUESTION_CHARS:
            shown = shown[:SHOWN_QUESTION_CHARS] + f"…（共 {len(self.question)} 字）"
        yield Static(Text.assemble(("❯ ", "bold"), shown), classes="question")
        yield Static(classes="meta")
        yield LoadingIndicator()
        yield Vertical(classes="cards")

    def on_mount(self) -> None:
        self.search()

    @property
    def stale(self) -> bool:
        """Asked before the index was ready, or answered lexically before the model was."""
        if self.error is not None:
            return False
        if self.result is None:
            return not self.is_searching
        return self.result.lexical_only and qa_app(self).model_state == "ready"

    @property
    def is_searching(self) -> bool:
        return self.has_class("-searching")

    def search(self) -> None:
        if qa_app(self).searcher is None:
            self._set_meta(Text("等待索引建立完成…", style="italic"))
            return
        self.add_class("-searching")
        self._search()

    @work(thread=True, exit_on_error=False, group="search")
    def _search(self) -> None:
        try:
            result = qa_app(self).search(self.question, self.k, self.filters)
            across = comparison_filters(result.query, self.filters)
            comparison = None if across is None else qa_app(self).compare(self.question, across)
        except EmptyQuestion:
            self.app.call_from_thread(self._show_error, "问题里没有可检索的字词")
        except QAError as error:
            self.app.call_from_thread(self._show_error, str(error))
        else:
            # mypy solves call_from_thread's `T | Awaitable[T]` to Never for a coroutine function
            self.app.call_from_thread(self._show, result, across, comparison)  # type: ignore[arg-type]

    def _show_error(self, message: str) -> None:
        self.remove_class("-searching")
        self.error = message
        self._set_meta(Text(f"无法检索：{message}", style="italic"))

    async def _show(self, result: SearchResult, across: Filters | None, comparison: Comparison | None) -> None:
        self.remove_class("-searching")
        focused = self.app.focused
        refocus_rank = focused.hit.rank if isinstance(focused, PassageCard) and focused.parent is self.cards else None
        first_answer = self.result is None
        self.result = result
        self.compare_filters, self.comparison = across, comparison
        self._set_meta(self._meta(result))
        await self.cards.remove_children()
        widgets: list[Static | PassageCard] = [PassageCard(hit) for hit in result.hits]
        answer = answer_line(result)
        if answer:
            widgets.insert(0, Static(Text(answer), classes="answer"))
        if result.notice:
            widgets.insert(0, Static(result.notice + ("：" if result.hits else "。"), classes="notice"))
        elif result.caveat:
            widgets.insert(0, Static(f"{result.caveat}。", classes="notice"))
        if comparison is not None:  # asked across reports: the comparison first, the cards below
            widgets[:0] = self._comparison_widgets(comparison)
        await self.cards.mount_all(widgets)
        for card in self.cards.query(PassageCard):
            if card.hit.rank == refocus_rank:
                card.focus()
        if first_answer:  # bring the answer's start into view; an in-place upgrade stays put
            # After the refresh, when the new cards have their sizes.
            conversation = self.screen.query_one("#conversation")
            self.call_after_refresh(conversation.scroll_to_widget, self, animate=False, top=True)

    def _comparison_widgets(self, comparison: Comparison) -> list[Static]:
        found = sum(not row.hit.weak for row in comparison.rows)
        shown = describe_filters(comparison.filters) or "全部报告"
        head = f"对比各报告（{shown}）：{len(comparison.rows)} 份报告 · {found} 份找到"
        if not comparison.rows:
            return [Static(f"对比各报告（{shown}）：没有符合过滤的报告", classes="compare-head")]
        return [
            Static(Text(head + " · 卡片上按 m 打开对比表"), classes="compare-head"),
            Static(FittedComparison(comparison), classes="comparison"),
        ]

    @property
    def cards(self) -> Vertical:
        return self.query_one(".cards", Vertical)

    def _meta(self, result: SearchResult) -> Text:
        parts = []
        # The places named outright (广东 → 广东省, not each of its districts, which match in part).
        named = [place for place, score in result.query.places.items() if score >= 1.0]
        year = result.query.time.understood or (str(result.query.year) if result.query.year else None)
        understood = named + ([year] if year else [])
        if understood:
            parts.append("识别：" + " · ".join(understood))
        if result.filters.active:
            parts.append("过滤：" + describe_filters(result.filters))
        parts.append(f"前 {self.k} 条")
        if result.lexical_only:
            parts.append(
                "仅词法匹配" + ("（模型加载中，稍后自动更新）" if qa_app(self).model_state == "loading" else "")
            )
        return Text("  ".join(parts))

    def _set_meta(self, text: Text) -> None:
        self.query_one(".meta", Static).update(text)
