"""Every indexed report in a table; Enter opens one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from qa.search.searcher import Searcher
from qa.tui.typed import qa_app
from qa.types import UNKNOWN, listing_order


class DocumentsScreen(Screen):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "返回")]

    def __init__(self, searcher: Searcher) -> None:
        super().__init__()
        self.searcher = searcher

    def compose(self) -> ComposeResult:
        yield Static(" 文档列表 · 回车打开", id="documents-title")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("标题", "地点", "级别", "年份", "段落")
        counts = self.searcher.passage_counts()
        for d in sorted(self.searcher.documents(), key=listing_order):
            known = (d.place, d.level, d.year)
            cells = (d.title, *(UNKNOWN if cell is None else str(cell) for cell in known), str(counts.get(d.doc_id, 0)))
            table.add_row(*cells, key=d.doc_id)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        qa_app(self).open_document(str(event.row_key.value))
