"""Questions asked, kept across runs in a JSON-lines file."""

from __future__ import annotations

import json
from pathlib import Path

MAX_ENTRIES = 500


class History:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[str] = self._load()

    def _load(self) -> list[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        entries = []
        for line in lines[-MAX_ENTRIES:]:
            try:
                entries.append(str(json.loads(line)["q"]))
            except (ValueError, KeyError, TypeError):
                continue  # a damaged line costs only itself
        return entries

    def add(self, question: str) -> None:
        if not question or (self.entries and self.entries[-1] == question):
            return
        self.entries.append(question)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"q": question}, ensure_ascii=False) + "\n")
        except OSError:
            pass  # history is a convenience: never fail a question over it

    def clear(self) -> None:
        self.entries.clear()
        self.path.unlink(missing_ok=True)


class Recall:
    """Up/Down through history from an input line, keeping what was being typed."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.position: int | None = None  # index into entries; None = the draft
        self.draft = ""

    def reset(self) -> None:
        self.position = None

    def older(self, current: str) -> str | None:
        entries = self.history.entries
        if not entries or self.position == 0:
            return None
        if self.position is None:
            self.draft = current
            self.position = len(entries)
        self.position -= 1
        return entries[self.position]

    def newer(self) -> str | None:
        if self.position is None:
            return None
        self.position += 1
        if self.position >= len(self.history.entries):
            self.position = None
            return self.draft
        return self.history.entries[self.position]
