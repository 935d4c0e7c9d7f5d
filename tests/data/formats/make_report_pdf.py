"""Writes report.pdf, the text-layer PDF fixture (kept in git: a few KB).

Run once with reportlab installed (`pip install reportlab`); it is not a
dependency of qa. The font is one of the CID fonts every PDF reader knows, so
nothing is embedded. Body paragraphs wrap over several lines with an indented
first line, as in reports exported from Word, and the second page starts with
a heading.
"""

from pathlib import Path

from reportlab.lib.pagesizes import A6
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
title = ParagraphStyle("title", fontName=FONT, fontSize=12, leading=18, alignment=1)
body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=14, firstLineIndent=18, wordWrap="CJK")

SimpleDocTemplate(str(Path(__file__).with_name("report.pdf")), pagesize=A6).build(
    [
        Paragraph("某县2021年政府工作报告", title),
        Paragraph("各位代表：", body),
        Paragraph(
            "现在，我代表县人民政府向大会报告工作，请予审议，并请各位政协委员提出意见。"
            "过去一年，全县地区生产总值增长5%，城镇新增就业3000人，城镇登记失业率控制在3%以内。",
            body,
        ),
        PageBreak(),
        Paragraph("一、2021年主要任务", body),
        Paragraph("全年完成固定资产投资120亿元，引进重点项目35个，新增高新技术企业42家，研发投入增长12%。", body),
    ]
)
