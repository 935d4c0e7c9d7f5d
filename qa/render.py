"""How results look: rich renderables for people, plain dicts for JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.style import StyleType
from rich.table import Table
from rich.text import Text

from qa.types import Hit

if TYPE_CHECKING:  # for annotations only: `qa ask` need not import the evaluation or status code
    from qa.eval import EvalReport
    from qa.index.status import IndexStatus
    from qa.search.compare import CompareRow, Comparison
    from qa.search.searcher import SearchResult

ANSWER_STYLE = "bold black on yellow"
TERM_STYLE = "bold underline"


def citation(hit: Hit) -> str:
    """title · place · year · section · ¶n"""
    parts = [hit.title, hit.place or "", str(hit.year) if hit.year else "", hit.passage.section]
    return " · ".join([p for p in parts if p] + [f"¶{hit.passage.paragraph}"])


def passage_text(hit: Hit, answer_style: StyleType = ANSWER_STYLE, term_style: StyleType = TERM_STYLE) -> Text:
    """The passage with its answer sentence highlighted and the question's words marked.
    Built with styles on spans, never markup, so passage text cannot inject styles."""
    text = Text(hit.passage.text)
    text.stylize(answer_style, hit.answer_start, hit.answer_end)
    for start, end in hit.term_spans:
        text.stylize(term_style, start, end)
    return text


def answer_line(result: SearchResult) -> str | None:
    """「答：地区生产总值增长5%左右 — 北京市 2026 ¶12」: the best hit's value, cited; None without an answer."""
    if not result.found or not result.hits[0].value:
        return None
    hit = result.hits[0]
    where = " ".join(p for p in (hit.place or hit.title, str(hit.year or "")) if p)
    return f"答：{hit.value} — {where} ¶{hit.passage.paragraph}"


def print_result(console: Console, result: SearchResult) -> None:
    if result.query.time.understood:
        console.print(Text(f"识别：{result.query.time.understood}", style="dim"))
    if result.notice or result.caveat:
        console.print(Text(result.notice or f"{result.caveat}。", style="yellow"))
    answer = answer_line(result)
    if answer:
        console.print(Text(answer, style="bold"))
    if result.lexical_only:
        console.print("[dim](lexical search only: the model was not loaded)[/]")
    for hit in result.hits:
        title = Text(f"{hit.rank}. ", style="bold") + Text(citation(hit), style="cyan")
        subtitle = f"score {hit.score:.3f}" + (" · weak match" if hit.weak else "")
        console.print(
            Panel(
                passage_text(hit),
                title=title,
                title_align="left",
                subtitle=subtitle,
                subtitle_align="right",
                border_style="dim" if hit.weak else "blue",
            )
        )


NOT_FOUND = "未找到"


# The compact comparison (`qa compare` in a terminal, the chat's inline table): each row at most
# ROW_LINES lines high, whatever the width; `--wide` shows everything, wrapped.
ROW_LINES = 3
PLACE_CELLS = 12  # 广东省珠海市斗门区 in two lines
WHERE_CELLS = 18  # ¶n first, then the nearest heading, cut
SENTENCE_MIN_CELLS = 24  # the answer sentence is shown only where this much is left for it


def print_comparison(console: Console, comparison: Comparison, *, wide: bool = False) -> None:
    if not comparison.rows:
        console.print(Text("没有符合过滤条件的报告（no indexed report passes the filters）", style="yellow"))
        return
    if comparison.lexical_only:
        console.print("[dim](lexical search only: the model was not loaded)[/]")
    console.print(comparison_table(comparison, console.width, wide=wide))


def comparison_title(comparison: Comparison) -> str:
    found = sum(not row.hit.weak for row in comparison.rows)
    return f"{comparison.question}（{found}/{len(comparison.rows)} 份报告有答案）"


def comparison_table(comparison: Comparison, width: int, *, wide: bool = False) -> Table:
    """地点 · 年份 · 值 · 出处, and the answer sentence where it fits, each row at most
    ROW_LINES high within `width` cells; with wide, every cell whole (rows as tall as they need)."""
    if wide:
        return _wide_table(comparison)
    rows = comparison.rows
    place_w = max(4, min(PLACE_CELLS, max((cell_len(_place(r)) for r in rows), default=4)))
    where_w = min(WHERE_CELLS, max(cell_len(_where(r)) for r in rows)) if rows else WHERE_CELLS
    where_w = max(where_w, 4)
    year_w = 4
    values = [row.value or NOT_FOUND for row in rows]
    value_need = max((cell_len(v) for v in values), default=2)
    left = width - (3 * 4 + 1) - place_w - year_w - where_w  # four columns: borders and padding
    value_w = max(8, min(value_need, left))
    sentence_w = left - value_w - 3  # a fifth column costs 3 cells
    with_sentence = sentence_w >= SENTENCE_MIN_CELLS
    if not with_sentence:
        value_w = max(8, left)
    table = Table(title=comparison_title(comparison), show_lines=True)
    table.add_column("地点", width=place_w, overflow="fold")
    table.add_column("年份", width=year_w, justify="right", no_wrap=True)
    table.add_column("值", width=value_w, style="bold", overflow="fold")
    if with_sentence:
        table.add_column("答句", width=sentence_w, no_wrap=True, overflow="ellipsis")
    table.add_column("出处", width=where_w, style="dim", no_wrap=True, overflow="ellipsis")
    for row, value in zip(rows, values):
        hit = row.hit
        cells = [
            _clip(_place(row), ROW_LINES * (place_w - 1)),
            str(hit.year or "–"),
            _clip(value, ROW_LINES * (value_w - 1)),
        ]
        if with_sentence:
            cells.append("" if hit.weak else " ".join(hit.answer_sentence.split()))
        cells.append(_where(row))
        table.add_row(*cells, style="dim" if hit.weak else None)
    return table


class FittedComparison:
    """comparison_table as wide as the place it is drawn in (a terminal, a Textual widget)."""

    def __init__(self, comparison: Comparison, *, wide: bool = False) -> None:
        self.comparison = comparison
        self.wide = wide

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield comparison_table(self.comparison, options.max_width, wide=self.wide)


def _place(row: CompareRow) -> str:
    return row.hit.place or row.hit.title


def _where(row: CompareRow) -> str:
    """¶n first, so that a cut keeps it: 「¶11 (二)高端谋划,打造一流…」."""
    section = row.hit.passage.section.split(" › ")[-1]
    return f"¶{row.hit.passage.paragraph} {section}".strip()


def _clip(text: str, cells: int) -> str:
    """text within `cells` terminal cells, an ellipsis marking a cut."""
    text = " ".join(text.split())
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(cells - 1, 0)).rstrip() + "…"


def _wide_table(comparison: Comparison) -> Table:
    """Every cell whole, wrapped (`qa compare --wide`)."""
    table = Table(title=comparison_title(comparison), show_lines=True)
    for name, options in (
        ("地点", {}),
        ("年份", {"justify": "right"}),
        ("值", {"style": "bold", "overflow": "fold", "min_width": 12}),
        ("答句", {"overflow": "fold"}),
        ("出处", {"style": "dim"}),
    ):
        table.add_column(name, **options)
    for row in comparison.rows:
        hit = row.hit
        where = (
            f"{hit.passage.section} · ¶{hit.passage.paragraph}" if hit.passage.section else f"¶{hit.passage.paragraph}"
        )
        table.add_row(
            hit.place or hit.title,
            str(hit.year or "–"),
            row.value or NOT_FOUND,
            hit.answer_sentence if not hit.weak else "",
            where,
            style="dim" if hit.weak else None,
        )
    return table


def print_eval(console: Console, report: EvalReport) -> None:
    names = [f"Hit@{k}" for k in report.hit_at] + ["MRR@10"]
    table = Table(title=f"retrieval on {report.questions} answerable questions")
    table.add_column("kind")
    table.add_column("n", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    rows = [("all", report.questions, report.hit_at, report.mrr_at_10)]
    rows += [(kind, s.questions, s.hit_at, s.mrr_at_10) for kind, s in report.by_kind.items()]
    for index, (kind, n, hits, mrr) in enumerate(rows):
        table.add_row(
            kind,
            str(n),
            *[f"{v:.3f}" for v in hits.values()],
            f"{mrr:.3f}",
            style="bold" if index == 0 else None,
            end_section=index == 0,
        )
    console.print(table)
    flags = f"answerable questions marked weak: {report.answerable_flagged} of {report.questions}"
    if report.unanswerable:
        flags = f"unanswerable questions marked weak: {report.unanswerable_flagged} of {report.unanswerable}; " + flags
    console.print(flags, highlight=False)
    misses = Table(title="not answered at rank 1", show_lines=True)
    for name in ("id", "kind", "rank", "question", "answer", "ranked first"):
        misses.add_column(name, overflow="fold")
    for m in [*report.misses, *report.unflagged]:
        misses.add_row(
            m.id,
            m.kind,
            str(m.rank or "–"),
            m.question,
            m.answer or "(no answer: should be weak)",
            Text(f"{m.top_source}: {m.top_text[:80]}…", style="dim"),
        )
    if misses.row_count:
        console.print(misses)


def print_info(console: Console, status: IndexStatus) -> None:
    table = Table(show_header=False, box=None)
    rows = [
        ("index", status.index_dir),
        ("documents", str(status.documents)),
        ("passages", str(status.passages)),
        ("built", status.built_at or "never"),
        ("corpus", status.corpus_dir or "–"),
        ("index model", status.index_model_id or "–"),
        ("model folder", status.model_dir),
        ("model", status.model_id or "not prepared: run `qa model prepare`"),
    ]
    for key, value in rows:
        table.add_row(Text(key, style="bold"), Text(value))
    state = Text("current", style="green") if status.current else Text("; ".join(status.problems), style="yellow")
    table.add_row(Text("status", style="bold"), state)
    console.print(Group(table))
