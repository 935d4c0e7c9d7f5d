"""Shown while the index is being built: what stage, how far."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar


class BuildPanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Label("正在建立索引…", id="build-label")
        yield ProgressBar(total=1.0, show_eta=False, id="build-progress")

    def on_mount(self) -> None:
        self.watch(self.app, "build_status", self._update)

    def _update(self, status: tuple[str, float] | None) -> None:
        self.display = status is not None
        if status is not None:
            self.query_one(Label).update(f"正在建立索引：{status[0]}")
            self.query_one(ProgressBar).update(progress=status[1])
