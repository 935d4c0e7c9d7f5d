"""Report files → text, one paragraph a line: a reader per format, chosen by suffix.

Every reader turns whatever a file holds into plain lines that the same
cleaning, metadata and chunking then handle; a table becomes one line per row,
"| cell | cell |", as Markdown and trafilatura write them. A file a reader
cannot use raises UnreadableFile with the reason for the user: the parsing
libraries raise many kinds of errors on damaged files, and none may escape.

The format libraries are imported on first use: together they take ~0.3 s to
import, and only indexing reads files.
"""

from __future__ import annotations

import codecs
import io
import logging
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from charset_normalizer import from_bytes

from qa.corpus.chunk import ends_sentence
from qa.corpus.metadata import front_matter_end, is_title_line

if TYPE_CHECKING:
    from docx.table import Table, _Cell
    from markdown_it.token import Token

# pypdf and trafilatura log every oddity of a damaged file; the skip reason says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


class UnreadableFile(Exception):
    """The file is not text qa can read; the message says why, for the user."""


def read_document_text(path: Path, data: bytes | None = None) -> str:
    """The text of a report file, by its suffix; data is the file's bytes when
    the caller has read them already (load_corpus hashes them first)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"not a supported format ({', '.join(sorted(READERS))})")
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UnreadableFile(f"could not be read ({error.strerror or error})") from None
    return reader(data)


def table_row(cells: Iterable[str]) -> str:
    """One line for a table row; the chunker never takes such a line for a heading."""
    return "| " + " | ".join(" ".join(cell.split()) for cell in cells) + " |"


# --- plain text -------------------------------------------------------------

# Checked longest first: the UTF-32-LE BOM begins with the UTF-16-LE one.
# (A UTF-8 BOM is dropped and the file read like any UTF-8 file.)
_WIDE_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

# Without a BOM, a file that is not UTF-8 is taken to be in a legacy Chinese
# encoding; charset-normalizer picks between them (GB18030 is a superset of
# GBK and GB2312) and rejects byte soup that reads as neither.
_LEGACY_ENCODINGS = ["gb18030", "big5"]

# A UTF-8 file with a few damaged bytes (a truncated download, one bad copy
# and paste) is still worth indexing: the damaged bytes become U+FFFD, so the
# damage stays visible. A legacy-encoded file read as UTF-8 fails on most of
# its non-ASCII characters, far above this share, so the two don't mix up.
_MAX_DAMAGED_SHARE = 0.01


def read_text(data: bytes) -> str:
    """Decode a text file's bytes; raise UnreadableFile if it is not text."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)  # the codec reads the BOM for byte order
            except UnicodeDecodeError:
                raise UnreadableFile(f"marked as {encoding} but not valid {encoding}") from None
    data = data.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in data:
        raise UnreadableFile("not a text file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _decode_damaged_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    best = from_bytes(data, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None:
        raise UnreadableFile("not valid text in UTF-8 or GB18030")
    return str(best)


def _decode_damaged_utf8(data: bytes) -> str | None:
    """The UTF-8 reading with bad bytes replaced, if only a few bytes are bad."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    non_ascii = sum(1 for char in text if ord(char) > 0x7F)
    if damaged <= _MAX_DAMAGED_SHARE * non_ascii:
        return text
    return None


# --- Markdown -----------------------------------------------------------------


def read_markdown(data: bytes) -> str:
    """The text of each block (heading, paragraph, list item, table row), markup
    gone. Front matter is kept verbatim for load_corpus to read; Markdown would
    take it for a rule and a heading."""
    from markdown_it import MarkdownIt

    text = read_text(data)
    end = front_matter_end(text)
    lines: list[str] = []
    row: list[str] | None = None
    for token in MarkdownIt("commonmark").enable("table").parse(text[end:]):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            lines.append(table_row(row))
            row = None
        elif token.type == "inline":
            (row if row is not None else lines).append(_inline_text(token))
        elif token.type in ("fence", "code_block"):
            lines.append(token.content)
    return text[:end] + "\n".join(lines)


# A line break inside a paragraph stays one, as in a .txt file: Chinese
# Markdown is often written one paragraph a line without blank lines.
_LINE_BREAKS = ("softbreak", "hardbreak")
_WORDS = ("text", "code_inline", "image")  # an image's content is its alt text


def _inline_text(token: Token) -> str:
    return "".join(
        "\n" if child.type in _LINE_BREAKS else child.content if child.type in _WORDS else ""
        for child in token.children or []
    )


# --- HTML ---------------------------------------------------------------------


def read_html(data: bytes) -> str:
    """The page's main text, found by trafilatura; site furniture it leaves is
    for clean_text. Decoded like a .txt file, so encodings are handled alike."""
    from trafilatura import bare_extraction

    page = bare_extraction(read_text(data), include_tables=True, favor_recall=True, with_metadata=True)
    if isinstance(page, dict):  # only with as_dict=True, which is not asked for
        raise TypeError("trafilatura returned a dict")
    if page is None or not page.text:
        raise UnreadableFile("no report text found in the web page")
    # trafilatura may leave the <h1> out of the text and keep it as the page's
    # title; a report's title belongs on the first line.
    if page.title and is_title_line(page.title) and page.title not in page.text.splitlines():
        return f"{page.title}\n{page.text}"
    return str(page.text)


# --- Word ---------------------------------------------------------------------

# Word saves a password-protected .docx inside an OLE compound file, the
# container of the old binary .doc format: a .docx that starts like one is
# either encrypted or a .doc renamed.
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def read_docx(data: bytes) -> str:
    """Body paragraphs and tables in document order; headers and footers are
    page furniture and left out."""
    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile("password-protected, or an old .doc file renamed .docx")
    from docx import Document
    from docx.table import Table

    try:
        document = Document(io.BytesIO(data))
        return "\n".join(
            "\n".join(_table_lines(block)) if isinstance(block, Table) else block.text
            for block in document.iter_inner_content()
        )
    except Exception:  # python-docx raises zip, XML, key and value errors on damaged files
        raise UnreadableFile("damaged, or not a Word .docx file") from None


def _table_lines(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[_Cell] = []
        for cell in row.cells:
            # A cell merged across columns is listed once per column it spans.
            if not cells or cell._tc is not cells[-1]._tc:
                cells.append(cell)
        yield table_row(_cell_text(cell) for cell in cells)


def _cell_text(cell: _Cell) -> str:
    from docx.table import Table

    # A table inside a cell is rare; its cells are read in order, as words of this cell.
    return " ".join(
        " ".join(_cell_text(inner) for row in block.rows for inner in row.cells)
        if isinstance(block, Table)
        else block.text
        for block in cell.iter_inner_content()
    )


# --- PDF ------------------------------------------------------------------------

# A PDF has no paragraphs, only lines placed on the page; a paragraph's lines
# are rejoined here (pypdf gives the lines; no library rejoins CJK text). A
# line runs on into the next when it fills the text column, does not end a
# sentence, and the next line is not indented (pypdf marks an indent with a
# leading space). Widths count a Chinese character as two, a digit or Latin
# letter as one, so that lines with numbers measure like the others.
_COLUMN_SLACK = 4  # a first line loses up to two characters to its indent


def read_pdf(data: bytes) -> str:
    """The text layer of every page, wrapped lines rejoined into paragraphs."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("encrypted PDF that needs a password")
        pages = [page.extract_text() for page in reader.pages]
    except UnreadableFile:
        raise
    except Exception:  # pypdf raises stream, key, value and type errors on damaged files
        raise UnreadableFile("damaged, or not a PDF file") from None
    if not any(page.strip() for page in pages):
        raise UnreadableFile("no text layer (a scanned PDF?)")
    page_lines = [page.splitlines() for page in pages]
    # The widest line of Chinese text; a long URL or row of figures is no guide.
    column = max((_width(line) for lines in page_lines for line in lines if _width(line) > len(line)), default=0)
    # A paragraph cut by a page break stays cut: page footers stand in between.
    return "\n".join("\n".join(_rejoin(lines, column)) for lines in page_lines)


def _rejoin(lines: list[str], column: int) -> Iterator[str]:
    paragraph, last = "", ""  # the paragraph so far, and its last line on the page
    for line in lines:
        if last and _width(last) >= column - _COLUMN_SLACK and not ends_sentence(last) and not line[:1].isspace():
            paragraph += line
        else:
            if paragraph:
                yield paragraph
            paragraph = line
        last = line
    if paragraph:
        yield paragraph


def _width(line: str) -> int:
    """Display width: a Chinese character (or full-width mark) counts two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


READERS: dict[str, Callable[[bytes], str]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
    ".pdf": read_pdf,
}
