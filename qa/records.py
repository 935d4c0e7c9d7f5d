"""The records every machine-facing interface gives: `qa … --json` and the MCP tools.

Plain dicts of plain values (JSON as is), built in one place so that a script
reading `qa search --json` and an AI assistant calling `search` see the same fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa.types import Document, Hit

if TYPE_CHECKING:  # for annotations only
    from qa.search.compare import CompareRow, Comparison
    from qa.search.searcher import SearchResult


def hit_record(hit: Hit) -> dict:
    """One ranked passage with its citation; `start`/`end` are its offsets in the document's cleaned text."""
    return {
        "rank": hit.rank,
        "score": hit.score,
        "text": hit.passage.text,
        "answer_sentence": hit.answer_sentence,
        "value": hit.value,
        "doc_id": hit.passage.doc_id,
        "title": hit.title,
        "place": hit.place,
        "year": hit.year,
        "section": hit.passage.section,
        "paragraph": hit.passage.paragraph,
        "start": hit.passage.start,
        "end": hit.passage.end,
        "source": hit.source,
        "weak": hit.weak,
    }


def understood_json(result: SearchResult) -> dict:
    """What the question was taken to ask: the places it names outright, the years
    (with a relative year resolved: "relative": "去年=2025"), target or result."""
    time = result.query.time
    return {
        "places": [place for place, score in result.query.places.items() if score >= 1.0],
        "first_year": time.first,
        "last_year": time.last,
        "report_year": time.report_year,
        "relative": time.understood,
        "tense": time.tense,
    }


def result_json(result: SearchResult) -> dict:
    """`qa search --json`'s line for one question."""
    return {
        "question": result.question,
        "found": result.found,
        "notice": result.notice,
        "caveat": result.caveat,
        "understood": understood_json(result),
        "results": [hit_record(h) for h in result.hits],
    }


def compare_record(row: CompareRow) -> dict:
    """One report's row of a comparison, as `qa compare --json` and `--csv` give it."""
    hit = row.hit
    return {
        "doc_id": hit.passage.doc_id,
        "source": hit.source,
        "title": hit.title,
        "place": hit.place,
        "level": row.level,
        "year": hit.year,
        "value": row.value,
        "answer_sentence": hit.answer_sentence,
        "text": hit.passage.text,
        "section": hit.passage.section,
        "paragraph": hit.passage.paragraph,
        "start": hit.passage.start,
        "end": hit.passage.end,
        "score": hit.score,
        "weak": hit.weak,
    }


def comparison_json(comparison: Comparison) -> dict:
    """`qa compare --json`."""
    return {"question": comparison.question, "rows": [compare_record(row) for row in comparison.rows]}


def document_record(document: Document, passages: int) -> dict:
    """One indexed report, as `qa documents --json` lists it."""
    return {
        "doc_id": document.doc_id,
        "source": document.source,
        "title": document.title,
        "place": document.place,
        "level": document.level,
        "year": document.year,
        "passages": passages,
    }


def paragraph_record(document: Document, paragraph: int, start: int, end: int) -> dict:
    """A paragraph of a report with its citation (its text is document.text[start:end])."""
    return {
        "doc_id": document.doc_id,
        "source": document.source,
        "title": document.title,
        "place": document.place,
        "year": document.year,
        "paragraph": paragraph,
        "start": start,
        "end": end,
        "text": document.text[start:end],
    }
