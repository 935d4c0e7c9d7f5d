"""`qa mcp`: the Searcher as Model Context Protocol tools, over stdio.

An AI assistant (Claude Desktop, an IDE, any MCP client) starts `qa mcp` and
calls its tools; each returns the same record as the matching `qa … --json`
(qa/records.py), so citations, offsets, `weak` and `notice` come along. The
reports themselves are resources (`qa://reports/{doc_id}`, their cleaned text:
`start`/`end` offsets point into it).

The index opens when the server starts (a missing one is said before any
client connects); the model loads on the first question.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resources import FunctionResource

from qa import __version__
from qa.config import Settings
from qa.errors import QAError
from qa.records import comparison_json, document_record, paragraph_record, result_json
from qa.search.compare import compare as compare_reports
from qa.search.searcher import Searcher
from qa.types import Filters, listing_order

Level = Literal["全国", "省", "市", "区县", "镇"]
MAX_K = 50
INSTRUCTIONS = (
    "qa answers questions about Chinese government work reports (政府工作报告, 工作计划) offline, "
    "with cited passages. Ask in Chinese. `search` gives ranked passages of all reports; `compare` "
    "gives one row per report (use it for questions across places or years: 各省…, 历年…). "
    "Quote the passage `text` and cite title · place · year · ¶paragraph. A result with `weak` true "
    "is no good answer; `notice` then says why."
)


def build_server(settings: Settings) -> MCPServer:
    """The server over the index in settings.index_dir (opened now: QAError if missing)."""
    searcher = Searcher.open(settings, load_model=False)
    lock = threading.Lock()  # one search at a time: the encoder is shared

    def ready() -> Searcher:
        if not searcher.model_loaded:
            from qa.model import ensure_model

            ensure_model(settings)
            searcher.load_model()
        return searcher

    server: MCPServer = MCPServer("qa", version=__version__, instructions=INSTRUCTIONS)

    @server.tool()
    def search(question: str, k: int = 5, place: str | None = None, year: int | None = None) -> dict[str, Any]:
        """Ranked passages that answer a Chinese question, each cited (title, place,
        year, section, paragraph, offsets). `place` (e.g. 斗门) and `year` narrow the reports."""
        if not 1 <= k <= MAX_K:
            raise ToolError(f"k must be between 1 and {MAX_K}")
        with lock:
            try:
                result = ready().search(question, k=k, filters=Filters(place=place, year=year))
            except QAError as error:
                raise ToolError(str(error)) from None
        return result_json(result)

    @server.tool()
    def compare(
        question: str,
        place: str | None = None,
        year: int | None = None,
        level: Level | None = None,
    ) -> dict[str, Any]:
        """One question over every report: each report's best passage, the clause
        carrying the answer (`value`) and its citation, one row per report
        (`weak` rows: not found there). Narrow by place, year or level (全国 省 市 区县 镇)."""
        with lock:
            try:
                comparison = compare_reports(ready(), question, Filters(place=place, year=year, level=level))
            except QAError as error:
                raise ToolError(str(error)) from None
        return comparison_json(comparison)

    @server.tool()
    def documents() -> list[dict[str, Any]]:
        """Every indexed report: doc_id, source file, title, place, level, year, passages."""
        counts = searcher.passage_counts()
        return [document_record(d, counts.get(d.doc_id, 0)) for d in sorted(searcher.documents(), key=listing_order)]

    @server.tool()
    def passage(doc_id: str, paragraph: int) -> dict[str, Any]:
        """One paragraph of a report by doc_id and paragraph number (as cited: ¶n), with its offsets."""
        document = searcher.document(doc_id)
        if document is None:
            raise ToolError(f"no indexed report has doc_id {doc_id!r}; `documents` lists them")
        pieces = [p for p in searcher.passages_of(doc_id) if p.paragraph == paragraph]
        if not pieces:
            raise ToolError(f"{document.title} has no paragraph {paragraph}")
        return paragraph_record(document, paragraph, min(p.start for p in pieces), max(p.end for p in pieces))

    for document in searcher.documents():
        server.add_resource(
            FunctionResource(
                uri=f"qa://reports/{document.doc_id}",
                name=document.source,
                title=document.title,
                description=" · ".join(str(v) for v in (document.place, document.year) if v),
                mime_type="text/plain",
                fn=functools.partial(_text, searcher, document.doc_id),
            )
        )
    return server


def _text(searcher: Searcher, doc_id: str) -> str:
    document = searcher.document(doc_id)
    return "" if document is None else document.text


def serve_stdio(settings: Settings) -> None:
    build_server(settings).run("stdio")
