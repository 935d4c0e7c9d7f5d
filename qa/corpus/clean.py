"""Scraped report page → the report's own text, one paragraph per line.

Web pages of reports come wrapped in site furniture: breadcrumbs, date and
source lines, font-size and share widgets, print buttons, footers, comment
boxes. The rules here are about such furniture in general, not about any one
site. They drop whole lines, and a line that reads as prose (long, or a
finished sentence with clauses) is kept even when it mentions, say, 微信 or
来源; only a site's own statements ("不代表本站立场…") and lines without a
single Chinese character go whatever their length.
"""

from __future__ import annotations

import re

from qa.corpus.chunk import ends_sentence
from qa.corpus.metadata import find_title_line

# Furniture lines are short and are not sentences; a furniture word only
# condemns a line that is neither long nor a finished sentence with clauses.
_FURNITURE_MAX = 150
_SENTENCE_MIN = 20

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

# Words and marks that only page furniture uses.
_FURNITURE = re.compile(
    "|".join(
        [
            # where am I: breadcrumbs and menus
            r"您?(现在|当前)?所?在的?位置",
            r"当前位置",
            r"^首页\s*[>›»/]",
            r"[>›»]\s*\S*\s*[>›»]",
            r"^导航|导航(菜单|栏)",
            r"网站地图",
            r"无障碍(版|浏览|阅读|模式)",
            r"长者(模式|助手|版)",
            r"繁體|繁体版|简体版",
            r"返回(首页|顶部|列表)",
            # who published it, when, how often read
            r"^(信息|文章|稿件|新闻)?来源\s*[:：]",
            r"发布(机构|单位|时间|日期)\s*[:：]|^发布(时间|日期)",
            r"(发文|成文|印发|生效)日期\s*[:：]",
            r"索引号|发文字号|主题分类",
            r"责任编辑|^(作者|编辑|审核|校对|撰稿)\s*[:：]",
            r"(浏览|阅读|点击|访问)(次数|量)|阅读时长",
            # widgets and buttons
            r"字体\s*[:：]?\s*[【\[]?\s*[大中小]|【\s*字体|字号\s*[:：]",
            r"[【\[]\s*[大中小]\s*[大中小]",
            r"分享到|分享\s*[:：]",
            r"加入收藏|收藏本(页|站)",
            r"打印(本页|此页|文章)|【\s*打印\s*】|\[\s*打印\s*\]",
            r"关闭(窗口|本页)|【\s*关闭\s*】|\[\s*关闭\s*\]",
            r"扫一扫|扫码",
            r"领取福利",
            r"上一(篇|页|条)|下一(篇|页|条)",
            r"相关(链接|文章|阅读|新闻|附件)\s*[:：]?$",
            # footers
            r"版权所有|copyright|©",
            r"(主办|承办|协办)单位\s*[:：]",
            r"ICP",
            r"公网安备|公安备案|网安备",
            r"网站标识码",
            r"联系我们|政务邮箱",
            r"技术支持\s*[:：]",
            r"浏览器|最佳(浏览|显示)效果",
            # comment boxes
            r"(发表|网友|我要|留言与|查看)评论|条评论|评论\s*[:：]",
            r"验证码",
            r"本文地址|原文(地址|链接)|本网?站",
        ]
    ),
    re.IGNORECASE,
)

# Site statements that can run long but never belong to a report.
_SITE_STATEMENT = re.compile(r"不代表本(站|网)|本文仅代表作者|转载请注明|不得转载|如有侵权|对您造成了?侵权")

# Share and menu buttons named by a bare word ("微信 微博 QQ空间"): a line made
# of nothing else is furniture; a heading like "推进政务微博微信建设" is not.
_BUTTON_WORDS = re.compile(
    r"微信|微博|QQ空间|QQ|朋友圈|分享|收藏|打印|关闭|首页|登录|注册|English|手机版|"
    r"[【\[]?\s*大\s*中\s*小\s*[】\]]?|admin|时间"
)

# Leading list bullets that scraped pages keep from <li> items (trafilatura writes "- ").
_BULLET = re.compile(r"^(?:[•●○◆◇■□▪▫►▶★☆]\s*|-\s+)+")
_PAGE_NUMBER = re.compile(r"\s*[(（]第\s*\d+\s*/\s*\d+\s*页[)）]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(raw: str) -> str:
    """The report text of a scraped page: furniture gone, one paragraph a line."""
    lines = [line for line in map(_normalise_line, raw.splitlines()) if line and not _is_furniture(line)]
    # Above the report's title a page has only its own header (site name,
    # slogans, menus): short lines, since prose ends the title search.
    title = find_title_line(lines)
    return "\n".join(lines[title:] if title is not None else lines)


def _normalise_line(line: str) -> str:
    """One line with control, zero-width and unassigned characters, bullets,
    page numbers and runs of whitespace (ideographic spaces too) tidied away."""
    line = "".join(char for char in line if char.isprintable() or char.isspace())
    line = _PAGE_NUMBER.sub("", line)
    line = _WHITESPACE.sub(" ", line).strip()
    return _BULLET.sub("", line)


def _reads_as_prose(line: str) -> bool:
    return len(line) > _FURNITURE_MAX or (
        len(line) >= _SENTENCE_MIN and ends_sentence(line) and any(mark in line for mark in "，,、")
    )


def _is_furniture(line: str) -> bool:
    if _HAN.search(line) is None:
        return True  # dates, counters, URLs, bullets: no Chinese, no report text
    if _SITE_STATEMENT.search(line):
        return True
    if _reads_as_prose(line):
        return False
    if _FURNITURE.search(line):
        return True
    return _HAN.search(_BUTTON_WORDS.sub("", line)) is None
