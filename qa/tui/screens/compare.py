"""One question across every report: a table of each report's answer, value and citation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, LoadingIndicator, Static

from qa.compare_export import comparison_csv, comparison_markdown, shown_value
from qa.corpus.places import LEVELS
from qa.errors import QAError
from qa.search.compare import Comparison
from qa.search.searcher import EmptyQuestion
from qa.tui.commands import describe_filters, filters_text, parse_filters
from qa.tui.format import clip
from qa.tui.typed import qa_app
from qa.types import Filters

COLUMNS = ("地点", "年份", "级别", "值", "答句", "出处")
LEVEL_CYCLE = (None, *LEVELS)  # None: 全部
VALUE_CELLS = 20  # terminal cells, so that 出处 fits in 100 columns; the exports keep the whole text
SENTENCE_CELLS = 24
SECTION_CELLS = 12


class CompareScreen(Screen):
    COMPONENT_CLASSES = {"compare-screen--weak"}
    AUTO_FOCUS = "#compare-table"
    BINDINGS = [
        Binding("escape", "back", "返回"),
        Binding("q", "app.pop_screen", "返回", show=False),
        Binding("l", "cycle_level", "级别"),
        Binding("f,slash", "focus_filter", "地点/年份"),
        Binding("ctrl+e", "export('md')", "导出 Markdown", priority=True),  # over Input's end-of-line
        Binding("ctrl+s", "export('csv')", "导出 CSV", priority=True),
        Binding("j", "cursor(1)", "下", show=False),
        Binding("k", "cursor(-1)", "上", show=False),
    ]

    def __init__(self, question: str, filters: Filters = Filters()) -> None:
        super().__init__()
        self.question = question
        self.filters = filters
        self.comparison: Comparison | None = None
        self._asked = 0  # the latest run; an older worker's answer is dropped

    def compose(self) -> ComposeResult:
        yield Static(id="compare-title")
        yield Input(filters_text(self.filters), placeholder="@地点 @年份，回车筛选；空行清除", id="compare-filter")
        yield LoadingIndicator(id="compare-loading")  # not the table's own: that would take its focus
        yield DataTable(cursor_type="row", zebra_stripes=True, id="compare-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        self.watch(self.app, "model_state", self._model_changed, init=False)
        self.run_compare()

    # -- the comparison, in a thread ---------------------------------------------

    def run_compare(self) -> None:
        self._asked += 1
        self.add_class("-comparing")
        self._show_title()
        self._compare(self._asked, self.question, self.filters)

    @work(thread=True, exit_on_error=False, group="compare")
    def _compare(self, asked: int, question: str, filters: Filters) -> None:
        try:
            comparison = qa_app(self).compare(question, filters)
        except EmptyQuestion:
            self.app.call_from_thread(self._show_error, asked, "问题里没有可检索的字词")
        except QAError as error:
            self.app.call_from_thread(self._show_error, asked, str(error))
        except Exception as error:  # an engine bug: say so here rather than spin forever
            self.app.call_from_thread(self._show_error, asked, f"{type(error).__name__}: {error}")
            raise
        else:
            self.app.call_from_thread(self._show, asked, comparison)

    def _show(self, asked: int, comparison: Comparison) -> None:
        if asked != self._asked:
            return
        self.comparison = comparison
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        weak = self.get_component_rich_style("compare-screen--weak", partial=True)
        for i, r in enumerate(comparison.rows):
            hit = r.hit
            section = hit.passage.section.split(" › ")[-1]  # the nearest heading
            cells = (
                hit.place or hit.title,
                str(hit.year or "—"),
                r.level or "—",
                clip(shown_value(r), VALUE_CELLS),
                clip(hit.answer_sentence, SENTENCE_CELLS),
                " · ".join(p for p in (clip(section, SECTION_CELLS), f"¶{hit.passage.paragraph}") if p),
            )
            table.add_row(*(Text(c, style=weak if hit.weak else "") for c in cells), key=str(i))
        self.remove_class("-comparing")
        if comparison.rows:
            table.move_cursor(row=min(row, len(comparison.rows) - 1))
        self._show_title()

    def _show_error(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self.comparison = None
            table = self.query_one(DataTable)
            table.clear()
            self.remove_class("-comparing")
            self._show_title(f"无法对比：{message}")

    def _show_title(self, error: str | None = None) -> None:
        notes = []
        c = self.comparison
        if error:
            notes.append(error)
        elif self.has_class("-comparing"):
            notes.append("对比中…")
        elif c is not None:
            found = sum(not r.hit.weak for r in c.rows)
            notes.append(f"{len(c.rows)} 份报告 · {found} 份找到" if c.rows else "没有符合过滤的报告")
            if c.lexical_only:
                notes.append(
                    "仅词法匹配" + ("（模型加载中，稍后自动更新）" if qa_app(self).model_state == "loading" else "")
                )
        notes.append("级别 " + (self.filters.level or "全部"))
        shown = describe_filters(replace(self.filters, level=None))
        if shown:
            notes.append(shown)
        head = Text.assemble(("对比各报告：", "bold"), self.question)
        self.query_one("#compare-title", Static).update(Text.assemble(head, "\n", ("  ".join(notes), "not bold dim")))

    def _model_changed(self, state: str) -> None:
        if state == "ready" and self.comparison is not None and self.comparison.lexical_only:
            self.run_compare()

    # -- keys ----------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.comparison is None:
            return
        hit = self.comparison.rows[int(str(event.row_key.value))].hit
        qa_app(self).open_document(hit.passage.doc_id, hit.passage, (hit.answer_start, hit.answer_end))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.filters = parse_filters(event.value, self.filters)
        event.input.value = filters_text(self.filters)
        self.query_one(DataTable).focus()
        self.run_compare()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(DataTable).focus()
        else:
            self.app.pop_screen()

    def action_cycle_level(self) -> None:
        i = LEVEL_CYCLE.index(self.filters.level) if self.filters.level in LEVEL_CYCLE else 0
        self.filters = replace(self.filters, level=LEVEL_CYCLE[(i + 1) % len(LEVEL_CYCLE)])
        self.run_compare()

    def action_focus_filter(self) -> None:
        self.query_one("#compare-filter", Input).focus()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + delta))

    def action_export(self, kind: str) -> None:
        if self.comparison is None or not self.comparison.rows:
            self.notify("还没有可导出的对比", severity="warning")
            return
        write = comparison_markdown if kind == "md" else comparison_csv
        qa_app(self).save_export(f"qa-compare-{datetime.now():%Y%m%d-%H%M%S}.{kind}", write(self.comparison))
