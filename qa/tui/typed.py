"""The running QAApp, typed: Textual types `node.app` as App[Any], so what QAApp
adds (the searcher, the model's state, open_document …) is looked up through this."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from qa.tui.app import QAApp


def qa_app(node: MessagePump) -> QAApp:
    return cast("QAApp", node.app)
