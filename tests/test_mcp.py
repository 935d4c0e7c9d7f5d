"""`qa mcp` through the MCP SDK's own client (stdio), against the real index and model."""

from __future__ import annotations

import json
import sys

import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

pytestmark = pytest.mark.anyio

QUESTION = "斗门2020年准备建多少座5G基站？"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _server(settings) -> StdioServerParameters:
    options = ["--index-dir", str(settings.index_dir), "--cache-dir", str(settings.cache_dir)]
    return StdioServerParameters(command=sys.executable, args=["-m", "qa", "mcp", *options])


def _json(result) -> dict | list:
    assert not result.is_error, result.content
    [block] = result.content
    return json.loads(block.text)


async def test_mcp_tools_answer_with_citations(settings):
    async with stdio_client(_server(settings)) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert set(tools) == {"search", "compare", "documents", "passage"}
        assert set(tools["search"].input_schema["properties"]) == {"question", "k", "place", "year"}
        assert set(tools["compare"].input_schema["properties"]) == {"question", "place", "year", "level"}

        found = _json(await session.call_tool("search", {"question": QUESTION, "k": 3}))
        assert found["found"] and found["notice"] is None and len(found["results"]) == 3
        best = found["results"][0]
        assert "851个基站" in best["text"] and best["title"] == "珠海市斗门区2020年工作计划"
        assert best["paragraph"] > 0 and best["end"] > best["start"] and best["weak"] is False

        rows = _json(await session.call_tool("compare", {"question": "城镇新增就业目标是多少？"}))["rows"]
        assert len(rows) == 5  # one per seed report
        [doumen] = [row for row in rows if row["place"] == "广东省珠海市斗门区"]
        assert "城镇新增就业0.8万人" in doumen["value"] and not doumen["weak"]
        towns = _json(await session.call_tool("compare", {"question": "城镇新增就业目标是多少？", "level": "镇"}))
        assert {row["level"] for row in towns["rows"]} == {"镇"}

        listed = await session.call_tool("documents", {})
        documents = [json.loads(block.text) for block in listed.content]  # a list: one block per report
        assert len(documents) == 5 and best["doc_id"] in {d["doc_id"] for d in documents}
        paragraph = _json(
            await session.call_tool("passage", {"doc_id": best["doc_id"], "paragraph": best["paragraph"]})
        )
        assert "851个基站" in paragraph["text"] and paragraph["title"] == best["title"]

        resources = (await session.list_resources()).resources
        assert len(resources) == 5
        report = next(r for r in resources if str(r.uri).endswith(best["doc_id"]))
        [content] = (await session.read_resource(str(report.uri))).contents
        assert content.text[best["start"] : best["end"]] == best["text"]  # offsets point into it

        # bad input: an error result the assistant can read, never a dead server
        empty = await session.call_tool("search", {"question": "？？？"})
        assert empty.is_error and "no words" in empty.content[0].text
        missing = await session.call_tool("passage", {"doc_id": "nope", "paragraph": 1})
        assert missing.is_error and "documents" in missing.content[0].text
        assert _json(await session.call_tool("search", {"question": "就业"}))["results"]  # still serving
