"""Top line: corpus, size, model state, index age."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from qa.tui.format import index_age
from qa.tui.typed import qa_app

MODEL_LABELS = {"none": "—", "loading": "加载中…", "ready": "就绪", "lexical": "仅词法"}


class StatusBar(Static):
    def on_mount(self) -> None:
        for attribute in ("model_state", "engine_version", "build_status"):
            self.watch(self.app, attribute, lambda _: self.update_status(), init=False)
        self.update_status()

    def update_status(self) -> None:
        app = qa_app(self)
        searcher = app.searcher
        text = Text(" qa ", style="bold")
        if searcher is None:
            text.append("│ 无索引")
        else:
            m = searcher.index.manifest
            corpus = Path(m.corpus_dir).name or m.corpus_dir
            text.append(f"│ {corpus} │ {m.documents} 篇报告 · {m.passages} 段 │ 索引 {index_age(m.built_at)} ")
        text.append(f"│ 模型 {MODEL_LABELS.get(app.model_state, app.model_state)} ")
        if app.build_status is not None:
            text.append(f"│ 建索引：{app.build_status[0]} ")
        self.update(text)
