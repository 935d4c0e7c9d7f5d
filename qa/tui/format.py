"""Text the TUI shows or writes: highlighted context, Markdown export, index ages
(citations and highlighted passages are qa.render's, as in the CLI)."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from qa.render import citation
from qa.search.searcher import SearchResult
from qa.tui.commands import describe_filters


def highlighted(text: str, spans: list[tuple[int, int, Style]], base: Style | None = None) -> Text:
    """Plain text with styled spans; the text is never parsed as markup."""
    result = Text(text, style=base or "")
    for start, end, style in spans:
        if 0 <= start < end <= len(text):
            result.stylize(style, start, end)
    return result


def index_age(built_at: str, now: datetime | None = None) -> str:
    """Coarse on purpose: a clock in the status bar would only add noise."""
    try:
        built = datetime.fromisoformat(built_at)
    except ValueError:
        return "?"
    hours = ((now or datetime.now(UTC)) - built).total_seconds() / 3600
    if hours < 1:
        return "1小时内"
    if hours < 48:
        return f"{int(hours)}小时前"
    return f"{int(hours / 24)}天前"


def markdown_export(turns: list[SearchResult]) -> str:
    lines = ["# qa 对话记录", ""]
    for result in turns:
        lines += [f"## {result.question}", ""]
        notes = [describe_filters(result.filters)]
        notes.append("仅词法匹配" if result.lexical_only else "")
        notes.append(result.notice or "")
        if any(notes):
            lines += ["*" + " · ".join(n for n in notes if n) + "*", ""]
        for hit in result.hits:
            weak = "（弱匹配）" if hit.weak else ""
            lines.append(f"{hit.rank}. **{citation(hit)}**{weak}  ")
            lines.append(f"   答句：{hit.answer_sentence}")
            lines.append("")
            lines += [f"   > {line}" for line in hit.passage.text.splitlines() if line.strip()]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def clip(text: str, cells: int) -> str:
    """At most `cells` terminal cells (CJK characters take two), with … when cut."""
    text = " ".join(text.split())
    if cell_len(text) <= cells:
        return text
    out, used = [], 1
    for char in text:
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(out) + "…"
