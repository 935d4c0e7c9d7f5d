"""A Comparison written out: a Markdown table and CSV, each row with its citation.

Plain text in, plain text out (no UI), shared by the TUI's compare screen and
the CLI's `qa compare`.
"""

from __future__ import annotations

import csv
import io

from qa.search.compare import CompareRow, Comparison
from qa.tui.commands import describe_filters  # plain logic, no UI

NOT_FOUND = "未找到"
BOM = "\ufeff"  # so Excel reads the CSV as UTF-8
CSV_COLUMNS = (
    "doc_id", "source", "title", "place", "level", "year", "value", "answer_sentence",
    "text", "section", "paragraph", "start", "end", "score", "weak",
)  # fmt: skip


def where(row: CompareRow) -> str:
    """section · ¶n"""
    passage = row.hit.passage
    return " · ".join(p for p in (passage.section, f"¶{passage.paragraph}") if p)


def shown_value(row: CompareRow) -> str:
    return NOT_FOUND if row.hit.weak or not row.value else row.value


def comparison_markdown(comparison: Comparison) -> str:
    lines = [f"# 对比：{comparison.question}", ""]
    found = sum(not r.hit.weak for r in comparison.rows)
    notes = [f"{len(comparison.rows)} 份报告，{found} 份找到", describe_filters(comparison.filters)]
    if comparison.lexical_only:
        notes.append("仅词法匹配")
    lines += ["*" + " · ".join(n for n in notes if n) + "*", ""]
    lines += ["| 地点 | 年份 | 级别 | 值 | 答句 | 出处 |", "|---|---|---|---|---|---|"]
    for row in comparison.rows:
        hit = row.hit
        cells = [
            hit.place or "—",
            str(hit.year or "—"),
            row.level or "—",
            shown_value(row),
            "" if hit.weak else hit.answer_sentence,
            f"{hit.title} · {where(row)}",
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    for row in comparison.rows:  # the passages themselves, each under its citation
        hit = row.hit
        weak = "（未找到：最接近的段落）" if hit.weak else ""
        lines += [f"## {hit.place or hit.title} {hit.year or ''}".rstrip(), ""]
        lines += [f"**{hit.title} · {where(row)}**{weak}  ", f"来源：`{hit.source}`", ""]
        lines += [f"> {line}" for line in hit.passage.text.splitlines() if line.strip()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def comparison_csv(comparison: Comparison) -> str:
    """UTF-8 text with a BOM; offsets (start, end) are the answer sentence's in `text`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in comparison.rows:
        hit = row.hit
        p = hit.passage
        writer.writerow([
            p.doc_id, hit.source, hit.title, hit.place or "", row.level or "", hit.year or "",
            row.value, hit.answer_sentence, p.text, p.section, p.paragraph,
            hit.answer_start, hit.answer_end, f"{hit.score:.4f}", str(hit.weak).lower(),
        ])  # fmt: skip
    return BOM + out.getvalue()


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
