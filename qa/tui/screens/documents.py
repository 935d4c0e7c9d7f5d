"""Every indexed report in a table; Enter opens one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from qa.search.searcher import Searcher


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
        table.add_columns("标题", "地点", "年份", "段落")
        for d in self.searcher.documents():
            passages = len(self.searcher.passages_of(d.doc_id))
            table.add_row(d.title, d.place or "—", str(d.year or "—"), str(passages), key=d.doc_id)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_document(str(event.row_key.value))
