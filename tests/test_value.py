"""The value clause of an answer sentence, on sentences copied from the reports and seeds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.search.value import MAX_CHARS, Value, has_figure, value_clause

from .conftest import EVAL_REPORTS, SEEDS, shared_folder

GDP = ("gdp", "国内生产总值", "地区生产总值", "生产总值")
GROWTH = ("增长", "增速")
TARGET = ("目标",)

# Sentences asked more than one question, as written in their reports.
DEFICIT_2018 = "今年赤字率拟按2.6%安排，比去年预算低0.4个百分点；财政赤字2.38万亿元，其中中央财政赤字1.55万亿元，地方财政赤字8300亿元。"
TARGETS_2018 = "今年发展主要预期目标是：国内生产总值增长6.5%左右；居民消费价格涨幅3%左右；城镇新增就业1100万人以上，城镇调查失业率5.5%以内，城镇登记失业率4.5%以内；居民收入增长和经济增长基本同步；进出口稳中向好，国际收支基本平衡；单位国内生产总值能耗下降3%以上，主要污染物排放量继续下降；供给侧结构性改革取得实质性进展，宏观杠杆率保持基本稳定，各类风险有序有效防控。"
SHAANXI_REVIEW = "我们坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大和二十届历次全会精神，贯通落实习近平总书记历次来陕考察重要讲话重要指示，在省委坚强领导下，深化开展“三个年”活动，聚力打好“八场硬仗”，多措并举稳就业、稳企业、稳市场、稳预期，地区生产总值增长5.1％，城镇新增就业44.1万人，居民人均可支配收入增长5.6％，粮食产量1347万吨，单位生产总值能耗累计降幅完成“十四五”任务，全省高质量发展和现代化建设迈出坚实步伐。"
SHAANXI_PROJECTS = "推进延安千万吨炼化一体化、榆能百万吨煤制芳烃等项目，力争工业投资增长10％。"
SHANGHAI_TARGETS = " 　　综合各方面因素，建议今年全市经济社会发展的主要预期目标是：全市生产总值增长6%左右，地方一般公共预算收入与上年基本持平，全社会研发经费支出相当于全市生产总值的比例保持在4%左右，城镇调查失业率、城镇登记失业率分别为4.8%左右和4.3%左右，居民人均可支配收入增长与经济增长基本同步，居民消费价格涨幅3%左右，环保投入相当于全市生产总值的比例保持在3%左右，单位生产总值能耗、主要污染物排放量继续下降。"
SHANGHAI_COVID = "我们紧紧依靠全市人民，牢固树立忧患意识、责任意识、底线意识，时刻警醒“下一个发生疫情的会不会是上海，如果上海发生、怎么控制住，如何做到上海尽可能不发生”，坚定依靠城市精细化管理、科技抗疫和精准防控，努力构筑疫情防控的铜墙铁壁，牢牢守住了不出现规模性输入和反弹的底线。"
SAFETY_2007 = "要认真贯彻“安全第一，预防为主，综合治理 ”的方针，完善安全生产体制，切实落实责任制，加大安全生产投入，加强安全生产教育和培训。"
GUANGDONG_TARGETS = "是：地区生产总值增长4.5%—5%，在实际工作中全力争取更好结果；地方一般公共预算收入增长3%左右；居民收入增长与经济增长同步。"

# (source, sentence as written there, the question's terms, wants_number, expected value)
REAL = [
    pytest.param(
        "2025年广西政府工作报告.docx",
        "今年我区经济社会发展的主要预期目标是：全区地区生产总值增长5%左右；城镇调查失业率5.5%左右，城镇新增就业32万人以上；居民消费价格涨幅2%左右；居民收入增长和经济增长同步；粮食产量282亿斤左右；糖料蔗种植面积稳定在1100万亩以上；外贸进出口总额增长5%以上；按照国家要求坚决完成节能减排降碳任务。",
        [GDP, TARGET, GROWTH],
        True,
        "全区地区生产总值增长5%左右",
        id="targets-gdp",
    ),
    pytest.param(
        "2018年国务院政府工作报告.txt",
        DEFICIT_2018,
        [("赤字", "赤字率", "财政赤字"), ("定了",)],
        True,
        "今年赤字率拟按2.6%安排",
        id="deficit-keeps-time-word",
    ),
    pytest.param(
        "2018年国务院政府工作报告.txt",
        DEFICIT_2018,
        [("赤字", "赤字率", "财政赤字"), ("去年",), ("百分点",)],
        True,
        "比去年预算低0.4个百分点",
        id="percentage-points",
    ),
    pytest.param(
        "2018年国务院政府工作报告.txt",
        TARGETS_2018,
        [("城镇新增就业", "新增就业"), TARGET],
        True,
        "城镇新增就业1100万人以上",
        id="employment-target",
    ),
    pytest.param(
        "2018年国务院政府工作报告.txt",
        TARGETS_2018,
        [("城镇调查失业率", "调查失业率"), TARGET],
        True,
        "城镇调查失业率5.5%以内",
        id="qualifier-within",
    ),
    pytest.param(
        "2026_安徽省_政府工作报告.txt",
        "经济社会发展的主要预期目标是：全省地区生产总值增长5%—5.5%，在实际工作中努力争取更好结果；全员劳动生产率增速高于地区生产总值增速，项目（不含房地产开发）投资增速高于全部投资增速，制造业投资和民间投资占比稳步提升，社会消费品零售总额增长4%左右，进出口总额增长6%左右，一般公共预算收入增长2%左右，城镇常住居民人均可支配收入增速高于全国平均水平，农村常住居民人均可支配收入增速高于全国平均水平、高于城镇居民收入增速，城镇新增就业68万人左右，城镇调查失业率5.5%左右，居民消费价格指数上涨2%左右，粮食播种面积及生态环境质量指标完成国家下达目标任务。",
        [GDP, TARGET, GROWTH],
        True,
        "全省地区生产总值增长5%—5.5%",
        id="range-dash",
    ),
    pytest.param(
        "2026_广东省_政府工作报告.txt",
        GUANGDONG_TARGETS,
        [GDP, TARGET, GROWTH],
        True,
        "地区生产总值增长4.5%—5%",
        id="range-after-lead-in",
    ),
    pytest.param(
        "2026_陕西省_政府工作报告.txt",
        SHAANXI_REVIEW,
        [("粮食产量", "粮食总产量")],
        True,
        "粮食产量1347万吨",
        id="review-tonnes",
    ),
    pytest.param(
        "2026_陕西省_政府工作报告.txt",
        SHAANXI_REVIEW,
        [("居民收入", "人均可支配收入", "居民人均可支配收入"), GROWTH],
        True,
        "居民人均可支配收入增长5.6％",
        id="full-width-percent",
    ),
    pytest.param(
        "2026_陕西省_政府工作报告.txt",
        SHAANXI_PROJECTS,
        [("延安",), ("炼化",)],
        True,
        "推进延安千万吨炼化一体化、榆能百万吨煤制芳烃等项目",
        id="chinese-numerals-and-list",
    ),
    pytest.param(
        "2026_陕西省_政府工作报告.txt",
        SHAANXI_PROJECTS,
        [("工业投资",), GROWTH, TARGET],
        True,
        "力争工业投资增长10％",
        id="industrial-investment",
    ),
    pytest.param(
        "1999年政府工作报告.txt",
        "农村居民人均纯收入，考虑价格下降因素，比上年实际增长4·3％，城镇居民人均可支配收入实际增长5·8％。",
        [("农村居民人均纯收入", "人均纯收入"), GROWTH],
        True,
        "比上年实际增长4·3％",
        id="middle-dot-decimal-figure-wins",
    ),
    pytest.param(
        "上海市2022年政府工作报告.txt",
        "再推动1万户农民相对集中居住，实现五万户的集中居住目标。",
        [("集中居住",), TARGET],
        True,
        "实现五万户的集中居住目标",
        id="chinese-numeral-households",
    ),
    pytest.param(
        "2026_湖南省_政府工作报告.txt",
        "统筹推进以县城为重要载体的城镇化建设和乡村全面振兴，城镇化率达63%，新增1个经济总量近千亿、4个过五百亿的县市。",
        [("城镇化率", "常住人口城镇化率", "城镇化")],
        True,
        "城镇化率达63%",
        id="figure-breaks-tie",
    ),
    pytest.param(
        "2026_天津市_政府工作报告.txt",
        "全市地区生产总值增长4.8%，一般公共预算收入增长4.1%。",
        [("财政收入", "一般公共预算收入", "地方一般公共预算收入", "公共预算收入"), GROWTH],
        True,
        "一般公共预算收入增长4.1%",
        id="review-revenue",
    ),
    pytest.param(
        "上海市2020年政府工作报告.txt",
        SHANGHAI_TARGETS,
        [("研发强度", "研发投入强度", "研发经费支出", "研发经费投入强度"), TARGET],
        True,
        "全社会研发经费支出相当于全市生产总值的比例保持在4%左右",
        id="indented-rd-intensity",
    ),
    pytest.param(
        "上海市2020年政府工作报告.txt",
        SHANGHAI_TARGETS,
        [("城镇登记失业率", "登记失业率"), TARGET],
        True,
        "城镇调查失业率、城镇登记失业率分别为4.8%左右和4.3%左右",
        id="list-with-he-stays-whole",
    ),
    pytest.param(
        "2025年广西政府工作报告.docx",
        "办好第22届东博会、峰会以及世界林木业大会。",
        [("东博会",), ("第22届",)],
        False,
        "办好第22届东博会、峰会以及世界林木业大会",
        id="list-not-cut-at-dunhao",
    ),
    pytest.param(
        "2007年国务院政府工作报告.txt",
        "二是在教育部直属师范大学实行师范生免费教育，建立相应的制度。",
        [("免费",), ("师范生",), ("政策",), ("学校",), ("推行",)],
        False,
        "在教育部直属师范大学实行师范生免费教育",
        id="no-figure-asked-list-marker-trimmed",
    ),
    pytest.param(
        "2007年国务院政府工作报告.txt",
        SAFETY_2007,
        [("方针",), ("安全",)],
        False,
        "要认真贯彻“安全第一，预防为主，综合治理 ”的方针",
        id="not-cut-inside-quotes",
    ),
    pytest.param(
        "上海市2022年政府工作报告.txt",
        SHANGHAI_COVID,
        [("警醒",)],
        False,
        "时刻警醒“下一个发生疫情的会不会是上海，如果上海发生、怎么控制住，如何做到上海尽可能不发生”",
        id="quoted-clauses-stay",
    ),
    pytest.param(
        "上海市2022年政府工作报告.txt",
        SHANGHAI_COVID,
        [("守住",), ("底线",)],
        False,
        "牢牢守住了不出现规模性输入和反弹的底线",
        id="most-terms-wins",
    ),
    pytest.param(
        "000_81e05dd5e9b143b5.txt",
        "今年要优先促发展稳就业保民生,坚决打赢三大攻坚战,高质量全面建成小康社会;城镇新增就业0.8万人,城镇登记失业率控制在3%以内;实体经济促稳提质;居民人均可支配收入增长与经济增长基本同步;节能减排完成市下达任务。",
        [("城镇登记失业率", "登记失业率")],
        True,
        "城镇登记失业率控制在3%以内",
        id="ascii-punctuation",
    ),
    pytest.param(
        "004_c01f39cf84c2ed32.txt",
        "  2021年的主要经济目标:巩固经济发展良好势头,力争GDP增长8%,“头号工程”“三个年”“六大战役”取得新突破。",
        [GDP, TARGET, GROWTH],
        True,
        "力争GDP增长8%",
        id="ascii-lead-in-and-case",
    ),
    pytest.param(
        "2018年国务院政府工作报告.txt",
        DEFICIT_2018,
        [("汇率",)],
        True,
        "今年赤字率拟按2.6%安排",
        id="no-term-first-figure",
    ),
    pytest.param(
        "2007年国务院政府工作报告.txt",
        SAFETY_2007,
        [("汇率",)],
        False,
        "切实落实责任制",
        id="no-term-shortest",
    ),
    pytest.param(
        "2007年国务院政府工作报告.txt",
        "已有25个省（自治区、直辖市）、2133个县（市、区）初步建立了农村最低生活保障制度，1509万农民享受了农村最低生活保障。",
        [("县",), ("农村最低生活保障", "低保"), ("建立",)],
        True,
        "已有25个省（自治区、直辖市）、2133个县（市、区）初步建立了农村最低生活保障制度",
        id="brackets-and-list-stay-whole",
    ),
]

HUNAN_PLAN = "对照“七个更加”的总体目标，省政府编制的《湖南省国民经济和社会发展第十五个五年规划纲要（草案）》从经济发展、创新驱动、民生福祉、绿色低碳、安全保障等5个方面细化提出22项主要指标。"
REAL += [
    pytest.param(
        "2026_湖南省_政府工作报告.txt",
        HUNAN_PLAN,
        [("主要指标",)],
        True,
        "创新驱动、民生福祉、绿色低碳、安全保障等5个方面细化提出22项主要指标",
        id="cap-keeps-the-items-with-the-term",
    ),
    pytest.param(
        "2026_湖南省_政府工作报告.txt",
        HUNAN_PLAN,
        [],
        True,
        "创新驱动、民生福祉、绿色低碳、安全保障等5个方面细化提出22项主要指标",
        id="cap-keeps-the-figure-when-no-term",
    ),
    pytest.param(
        "2026_湖南省_政府工作报告.txt",
        HUNAN_PLAN,
        [("规划纲要",)],
        False,
        "省政府编制的《湖南省国民经济和社会发展第十五个五年规划纲要（草案）》从经济发展、创新驱动、民生福祉、绿色低碳",
        id="cap-keeps-the-start",
    ),
]

# Real sentences with the figure rewritten in forms the corpus happens not to use (and the
# example the value was specified by).
VARIANTS = [
    pytest.param(
        "经济社会发展的主要预期目标是：地区生产总值增长5%左右，一般公共预算收入增长3%，城镇新增就业45万人以上，城镇调查失业率5.5%左右，居民消费价格涨幅2%左右。",
        [GDP, TARGET, GROWTH],
        True,
        "地区生产总值增长5%左右",
        id="specification-example",
    ),
    pytest.param(
        GUANGDONG_TARGETS.replace("4.5%—5%", "4.5%～5%"),
        [GDP, TARGET, GROWTH],
        True,
        "地区生产总值增长4.5%～5%",
        id="range-tilde",
    ),
    pytest.param(
        GUANGDONG_TARGETS.replace("4.5%—5%", "4.5-5%"),
        [GDP, TARGET, GROWTH],
        True,
        "地区生产总值增长4.5-5%",
        id="range-hyphen",
    ),
    pytest.param(
        GUANGDONG_TARGETS.replace("4.5%—5%", "5%到5.5%"),
        [GDP, TARGET, GROWTH],
        True,
        "地区生产总值增长5%到5.5%",
        id="range-dao",
    ),
    pytest.param(
        "加强各级公共法律服务实体平台建设,深化法律顾问进村(社区)工作,确保村(社区)１００％达到省级民主法治示范创建标准。",
        [("民主法治示范",)],
        True,
        "确保村(社区)１００％达到省级民主法治示范创建标准",
        id="full-width-digits",
    ),
    pytest.param(
        "今年赤字率保持不变，赤字率拟按百分之二点六安排。",
        [("赤字率",)],
        True,
        "赤字率拟按百分之二点六安排",
        id="percent-in-words",
    ),
    pytest.param(
        "经济社会发展的主要预期目标是：ＧＤＰ增长５％左右，一般公共预算收入增长３％。",
        [GDP, GROWTH],
        True,
        "ＧＤＰ增长５％左右",
        id="full-width-letters",
    ),
]


def _check(sentence: str, value: Value) -> None:
    assert sentence[value.start : value.end] == value.text


@pytest.mark.parametrize(("source", "sentence", "terms", "wants_number", "expected"), REAL)
def test_value_of_real_sentences(source, sentence, terms, wants_number, expected):
    value = value_clause(sentence, terms, wants_number)
    _check(sentence, value)
    assert value.text == expected


@pytest.mark.parametrize(("source", "sentence"), [pytest.param(*p.values[:2], id=p.id) for p in REAL])
def test_real_sentences_are_copied_from_their_source(source, sentence):
    path = SEEDS / source if (SEEDS / source).exists() else shared_folder(EVAL_REPORTS) / source
    if path.suffix == ".docx":
        import docx

        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    else:
        text = path.read_text(encoding="utf-8")
    assert sentence in text


@pytest.mark.parametrize(("sentence", "terms", "wants_number", "expected"), VARIANTS)
def test_value_of_rewritten_figures(sentence, terms, wants_number, expected):
    value = value_clause(sentence, terms, wants_number)
    _check(sentence, value)
    assert value.text == expected


def test_cap_keeps_the_items_holding_the_terms():
    sentence = "涌现出代表“中国速度”的超高速轨道列车、代表“中国高度”的北斗导航系统、代表“中国强度”的超大直径盾构机、代表“中国深度”的深海钻机等一批大国重器，先进制造业占制造业比重提升到50%以上。"
    value = value_clause(sentence, [("大国重器",)], False)
    _check(sentence, value)
    assert (
        value.text
        == "代表“中国高度”的北斗导航系统、代表“中国强度”的超大直径盾构机、代表“中国深度”的深海钻机等一批大国重器"
    )
    assert len(value.text) <= MAX_CHARS


def test_cap_without_list_marks_cuts_before_a_figure():
    # 56 characters, then a figure that the cut at 60 would split.
    prefix = (
        "这是一段没有任何分句标点的很长的说明文字用来检验截断规则是否在六十个字符以内并且不会把数字切成两半所以这里写上"
    )
    sentence = prefix + "增长12.5%左右"
    assert len(prefix) + 2 < MAX_CHARS < len(sentence)
    value = value_clause(sentence, [], True)
    _check(sentence, value)
    assert len(value.text) <= MAX_CHARS
    assert not value.text.endswith(("1", "12", "12.", "12.5"))


def test_a_lone_lead_in_is_still_returned():
    assert value_clause("主要预期目标是：", [TARGET], True) == Value("主要预期目标是", 0, 7)


def test_nothing_but_punctuation_gives_an_empty_value():
    assert value_clause(" ，；。 ", [TARGET], True) == Value("", 0, 0)
    assert value_clause("", [], False) == Value("", 0, 0)


def test_empty_forms_match_nothing():
    sentence = "全市地区生产总值增长4.8%，一般公共预算收入增长4.1%。"
    assert value_clause(sentence, [("",), ("一般公共预算收入",)], True).text == "一般公共预算收入增长4.1%"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("地区生产总值增长5%左右", True),
        ("城镇新增就业1100万人以上", True),
        ("比去年预算低0.4个百分点", True),
        ("财政赤字2.38万亿元", True),
        ("粮食产量1347万吨", True),
        ("增长5%—5.5%", True),
        ("增长4.5-5%", True),
        ("增长4.5%～5%", True),
        ("增长5%到5.5%", True),
        ("增长5.1％", True),
        ("达到１００％", True),
        ("增长4·3％", True),
        ("百分之八", True),
        ("三千万吨", True),
        ("实现五万户的集中居住目标", True),
        ("推进延安千万吨炼化一体化", True),
        ("新增1个经济总量近千亿", True),
        ("办好第22届东博会、峰会以及世界林木业大会", False),
        ("到2025年，全镇经济总量进入全市前五水平", False),
        ("2021—2025年", False),
        ("12月底前完成", False),
        ("“十四五”规划", False),
        ("第十五个五年规划", False),
        ("共建“一带一路”", False),
        ("实现“两个一百年”奋斗目标", False),
        ("千家万户", False),
        ("千方百计稳就业", False),
        ("PM2.5浓度下降", False),
        ("推进5G应用", False),
        ("17.学前教育", False),
        ("在教育部直属师范大学实行师范生免费教育", False),
    ],
)
def test_has_figure(text, expected):
    assert has_figure(text) is expected


# Text built from the characters that matter: CJK, digits in both widths, every clause mark,
# brackets and quotes (often unmatched), 、, spaces, zero-width characters and letters.
_ALPHABET = st.sampled_from(
    list("增长目标地区生产总值万亿元人吨左右以上内是第届")
    + list("0123456789０１２３４５６７８９%％.·—-～")
    + list("，；：。！？,;:.!?、（）()“”\"'「」《》【】 \u3000\u200b\n")
    + list("GDPgdpＧ①一二")
)
_TERMS = st.lists(st.lists(st.text(_ALPHABET, max_size=4), min_size=1, max_size=3), max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, max_size=200), _TERMS, st.booleans())
def test_offsets_slice_the_sentence_to_the_value(sentence, terms, wants_number):
    value = value_clause(sentence, terms, wants_number)
    assert 0 <= value.start <= value.end <= len(sentence)
    assert sentence[value.start : value.end] == value.text
    assert len(value.text) <= MAX_CHARS
    assert value.text == value.text.strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in sentence):
        assert value.text


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=120), st.booleans())
def test_any_text_gives_a_slice(sentence, wants_number):
    value = value_clause(sentence, [("目标",)], wants_number)
    assert sentence[value.start : value.end] == value.text
    if any("\u4e00" <= ch <= "\u9fff" for ch in sentence):
        assert value.text
