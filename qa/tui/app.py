"""QAApp: the Textual application that owns the Searcher and the background work."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from qa.config import Settings
from qa.errors import QAError
from qa.index import IndexMissing
from qa.search.searcher import Searcher, SearchResult
from qa.tui.history import History
from qa.types import Filters, Passage

if TYPE_CHECKING:
    from qa.search.compare import Comparison

HISTORY_FILE = "history.jsonl"
PREPARING_MODEL = "正在准备嵌入模型（仅首次，约1分钟）…"
REINDEX_OFF = "此处不能重建索引（qa serve --allow-reindex 可开启）"
STAGES = {"read": "读取报告", "embed": "计算段落向量", "words": "建立词索引", "write": "写入索引"}


class QAApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "qa"
    BINDINGS = [
        Binding("f1,question_mark", "help", "帮助"),
        Binding("ctrl+o", "documents", "文档"),
        Binding("ctrl+r", "reindex", "重建索引"),
        Binding("ctrl+q", "quit", "退出", priority=True),
    ]

    # "none" (no index yet), "loading", "ready", or "lexical" (the model could not load).
    model_state: reactive[str] = reactive("none")
    engine_version: reactive[int] = reactive(0)  # bumped whenever `searcher` is replaced
    build_status: reactive[tuple[str, float] | None] = reactive(None)  # (label, fraction)

    def __init__(
        self,
        settings: Settings,
        *,
        searcher: Searcher | None = None,
        load_model: bool = True,
        allow_reindex: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.allow_reindex = allow_reindex  # off in the browser unless `qa serve --allow-reindex`
        self.searcher: Searcher | None = None
        self.history = History(settings.data_dir / HISTORY_FILE)
        self._given_searcher = searcher
        self._load_model = load_model
        self._search_lock = threading.Lock()  # one search at a time: the encoder is shared

    def get_default_screen(self) -> Screen:
        from qa.tui.screens.chat import ChatScreen

        return ChatScreen()

    def on_mount(self) -> None:
        if self._given_searcher is not None:
            self._use(self._given_searcher)
            return
        try:
            self._use(Searcher.open(self.settings, load_model=False))
        except IndexMissing:
            if not self.allow_reindex:
                self.notify("还没有索引：请先运行 qa index", severity="error", timeout=60)
                return
            self.notify("还没有索引：正在建立，请稍候…", title="首次运行")
            self.action_reindex()
        except QAError as error:
            self.notify(str(error), severity="error", timeout=30)

    # -- the engine --------------------------------------------------------------

    def _use(self, searcher: Searcher) -> None:
        self.searcher = searcher
        if searcher.model_loaded:
            self.model_state = "ready"
        elif self._load_model:
            self.model_state = "loading"
            self.run_worker(lambda: self._load(searcher), thread=True, group="model", exit_on_error=False)
        else:
            self.model_state = "lexical"
        self.engine_version += 1

    def _load(self, searcher: Searcher) -> Searcher:
        from qa.model import ensure_model, model_prepared

        searcher.warm_up()  # the word segmenter (~0.7 s), before anyone waits on it
        if not model_prepared(self.settings):
            self.call_from_thread(self.notify, PREPARING_MODEL, title="首次运行", timeout=60)
        ensure_model(self.settings)
        searcher.load_model()
        return searcher

    def search(self, question: str, k: int, filters: Filters) -> SearchResult:
        """Called from search workers (threads)."""
        searcher = self.searcher
        if searcher is None:
            raise QAError("索引尚未就绪")
        with self._search_lock:
            return searcher.search(question, k, filters)

    def compare(self, question: str, filters: Filters) -> Comparison:
        """Called from compare workers (threads)."""
        from qa.search.compare import compare

        searcher = self.searcher
        if searcher is None:
            raise QAError("索引尚未就绪")
        with self._search_lock:
            return compare(searcher, question, filters)

    def _build(self) -> Searcher:
        from qa.index.build import update_index
        from qa.model import ensure_model

        def progress(stage: str, done: int, total: int) -> None:
            status = (f"{STAGES.get(stage, stage)} {done}/{total}", done / total if total else 0.0)
            self.call_from_thread(setattr, self, "build_status", status)

        def preparing(message: str) -> None:
            self.call_from_thread(setattr, self, "build_status", (f"{PREPARING_MODEL} {message}", 0.0))

        ensure_model(self.settings, progress=preparing)
        update_index(self.settings, progress=progress)
        # The new index keeps the model the old one had loaded.
        return self.searcher.reopen() if self.searcher else Searcher.open(self.settings, load_model=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group not in ("model", "build") or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if worker.group == "build":
            self.build_status = None
        if event.state == WorkerState.ERROR:
            error = worker.error
            message = str(error) if isinstance(error, QAError) else f"{type(error).__name__}: {error}"
            if worker.group == "model":
                self.model_state = "lexical"
                self.notify(f"模型加载失败，仅用词法检索：{message}", severity="warning", timeout=15)
            else:
                self.notify(f"建立索引失败：{message}", severity="error", timeout=30)
        elif worker.group == "model":
            if worker.result is self.searcher:  # not replaced by a re-index meanwhile
                self.model_state = "ready"
        else:
            self.notify("索引已就绪", title="索引")
            if isinstance(worker.result, Searcher):
                self._use(worker.result)

    # -- actions -----------------------------------------------------------------

    def action_reindex(self) -> None:
        if not self.allow_reindex:
            self.notify(REINDEX_OFF, severity="warning")
            return
        if self.build_status is not None:
            self.notify("索引正在建立中")
            return
        self.build_status = ("准备中", 0.0)
        self.run_worker(self._build, thread=True, group="build", exit_on_error=False)

    def action_help(self) -> None:
        from qa.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def save_export(self, name: str, text: str) -> None:
        """In a browser, download the export; in a terminal, write it into the working folder,
        else the data folder, and say where."""
        if self.is_web:
            self.deliver_text(io.StringIO(text), save_filename=name, encoding="utf-8")
            self.notify(f"已下载 {name}", title="导出")
            return
        for folder in (Path.cwd(), self.settings.data_dir):
            path = folder / name
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8", newline="")
            except OSError:
                continue
            self.notify(f"已导出到 {path}", title="导出")
            return
        self.notify("无法写入导出文件", severity="error")

    def open_compare(self, question: str, filters: Filters) -> None:
        from qa.tui.screens.compare import CompareScreen

        if self.searcher is None:
            self.notify("索引尚未就绪", severity="warning")
        else:
            self.push_screen(CompareScreen(question, filters))

    def action_documents(self) -> None:
        from qa.tui.screens.documents import DocumentsScreen

        if self.searcher is None:
            self.notify("索引尚未就绪")
        elif not isinstance(self.screen, DocumentsScreen):
            self.push_screen(DocumentsScreen(self.searcher))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_clear_history(self) -> None:
        self.history.clear()
        self.notify("历史记录已清除")

    def open_document(self, doc_id: str, passage: Passage | None = None, answer: tuple[int, int] | None = None) -> None:
        from qa.tui.screens.context import ContextScreen

        document = self.searcher.document(doc_id) if self.searcher else None
        if document is None:
            self.notify("找不到这篇文档（索引已更新？）", severity="warning")
            return
        self.push_screen(ContextScreen(document, passage, answer))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.allow_reindex:
            yield SystemCommand("重建索引 (Re-index)", "重新读取语料并更新索引", self.action_reindex)
        yield SystemCommand("文档列表 (Documents)", "浏览并打开任意报告", self.action_documents)
        yield SystemCommand("切换明暗主题 (Toggle theme)", "在深色与浅色之间切换", self.action_toggle_theme)
        yield SystemCommand("清除历史 (Clear history)", "删除保存的提问记录", self.action_clear_history)
        yield SystemCommand("帮助 (Help)", "按键说明", self.action_help)
        yield from super().get_system_commands(screen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reindex":
            return self.allow_reindex  # hidden from the footer too
        return True


def run_tui(settings: Settings, *, allow_reindex: bool = True) -> None:
    QAApp(settings, allow_reindex=allow_reindex).run()
