"""Years as reports write them, in one form: 一九八三年, 二〇〇五年 and １９５５年
read as 1983年, 2005年 and 1955年.

Old reports write years in Chinese numerals, one character a digit, or in
full-width digits. The rewrite keeps every character's offset (one character
a digit either way), so a position found in the rewritten text is one in the
original too.
"""

from __future__ import annotations

import re

import cn2an

# A year in Chinese numerals: four digit characters before 年. 〇 is often typed
# as ○ (a circle) or 零; cn2an knows 〇 and 零.
_CHINESE_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=\s*年)")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def arabic_years(text: str) -> str:
    """The text with its years in Arabic digits; nothing else changes."""
    text = text.translate(_FULL_WIDTH_DIGITS)
    return _CHINESE_YEAR.sub(lambda match: _digits(match.group()), text)


def _digits(year: str) -> str:
    converted = cn2an.transform(year.replace("○", "〇"), "cn2an")
    return converted if converted.isdecimal() and len(converted) == len(year) else year
