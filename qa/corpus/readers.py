"""Raw file bytes → text, whatever encoding a scraped report was saved in."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

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


class UnreadableFile(Exception):
    """The file is not text qa can read; the message says why, for the user."""


def read_text(data: bytes) -> str:
    """Decode a report file's bytes; raise UnreadableFile if it is not text."""
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
