"""Deterministic generator of realistic, entirely fictitious demo data for one justice office.

Pure: no database, no clock, no global randomness. The same ``seed``, ``today``, number of cases
and office (committees, staff, sequence bases) always give the same records, field for field:
each block of :data:`BLOCK_CASES` cases draws from its own ``random.Random`` seeded from
``(seed, block)``, so the output does not depend on how the loader chunks it. The committee of
each case comes from another stream per block, so the case numbers a block starts from are
known without making the cases before it: blocks can be made in any order, in several
processes (:meth:`DemoGenerator.case_chunks`, :meth:`DemoGenerator.chunk_batch`).

What it makes (rows keyed by column name, ready for :mod:`justice_desktop.store.bulk`):

* cases over the last ~5 years before ``today`` (fewer years for small counts), oldest first,
  each with a full lifecycle that obeys :mod:`justice_desktop.domain.lifecycle`: parties with
  valid resident ID numbers (GB 11643 check digit, real Tianjin and neighbouring region
  prefixes) and mobile numbers, mediators, optional investigation with questions and answers,
  mediation sessions, consented extensions, a written or oral agreement (or a failure with the
  routes left to the parties), follow-up visits, 司法确认 for some written agreements (never
  for status matters, always applied within 30 days), closing and archiving with 卷号 and
  保管期限; recent cases are still registered or being mediated;
* 法律明白人 (about five per village) with trainings, attendance, yearly assessments and a few
  removals; consultations (some anonymous, some referred to mediation as the linked case); the
  legal advisers' work log (monthly on-site visits, quarterly lectures, a few shortfalls).

Code values come from the code tables (``resources/codes``); villages from ``regions``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.deadlines import (
    add_days,
    follow_up_due,
    judicial_confirmation_last_day,
    mediation_due,
)
from justice_desktop.domain.numbering import format_case_number
from justice_desktop.validation.credit_code import (
    credit_code_check_char,
    organization_code_check_char,
)

_JSON = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(x, ensure_ascii=False) gives
_JSON_SPECIAL = re.compile(r'["\\\x00-\x1f\x7f]')


def _json_strings(items: Sequence[str]) -> str:
    """``json.dumps(items, ensure_ascii=False)`` for a list of strings, fast when no string
    needs escaping (our templates never do)."""
    if any(_JSON_SPECIAL.search(x) for x in items):
        return _JSON(list(items))
    return '["' + '", "'.join(items) + '"]' if items else "[]"


__all__ = [
    "BLOCK_CASES",
    "CaseChunk",
    "CommitteeRef",
    "DemoBatch",
    "DemoGenerator",
    "StaffRef",
    "span_days",
]

Row = dict[str, Any]
T = TypeVar("T")

BLOCK_CASES = 500
MAX_SPAN_DAYS = 1826  # five years
MIN_SPAN_DAYS = 60
CONSULTATION_RATE = 0.2  # consultations per case …
CONSULTATION_CAP = 40_000  # … but never more than this many in all
COURT = "天津市河东区人民法院"
COURT_CODE = "津0102"
OFFICE_ID_PREFIX = "120102"  # 天津市河东区: most parties live here


# ------------------------------------------------------------------------------ small helpers


class _Weighted(Generic[T]):
    """Pick from weighted items with one ``random()`` and a bisect."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self._items = [p[0] for p in pairs]
        self._cum = list(accumulate(p[1] for p in pairs))
        self._total = self._cum[-1]

    def pick(self, r: random.Random) -> T:
        return self._items[bisect(self._cum, r.random() * self._total)]


def _one(r: random.Random, seq: Sequence[T]) -> T:
    return seq[int(r.random() * len(seq))]


def _between(r: random.Random, lo: int, hi: int) -> int:
    """An integer in [lo, hi] (hi >= lo)."""
    return lo + int(r.random() * (hi - lo + 1))


# GB 11643: the check character of an ID number from the weighted sum of its first 17 digits.
# Summed per part (region, birth date, order number), each part's sum cached: a million cases
# have few distinct parts. Tested against validation.id_number.resident_id_check_char.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_PART_SUMS: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})


def _id_part_sum(part: int, digits: str, offset: int) -> int:
    sums = _ID_PART_SUMS[part]
    found = sums.get(digits)
    if found is None:
        if len(digits) != (6, 8, 3)[part] or not (digits.isascii() and digits.isdigit()):
            raise ValueError(f"not an ID number part: {digits!r}")
        weights = _ID_WEIGHTS[offset : offset + len(digits)]
        found = sums[digits] = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return found


def _id_check_char(region: str, ymd: str, order: str) -> str:
    """``resident_id_check_char(region + ymd + order)``, from cached partial sums."""
    total = _id_part_sum(0, region, 0) + _id_part_sum(1, ymd, 6) + _id_part_sum(2, order, 14)
    return _ID_CHECK_CHARS[total % 11]


_JAN1: dict[int, int] = {}


def _jan1(year: int) -> int:
    """Ordinal of 1 January of ``year`` (cached)."""
    found = _JAN1.get(year)
    if found is None:
        found = _JAN1[year] = date(year, 1, 1).toordinal()
    return found


def _iso_ordinal(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def span_days(cases: int) -> int:
    """Days of registrations: about 1.5 days per case, at least two months, at most 5 years."""
    return max(MIN_SPAN_DAYS, min(MAX_SPAN_DAYS, int(cases * 1.5)))


_CN_DIGITS = "零一两三四五六七八九十"


def _cn_number(n: int) -> str:
    if n <= 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + _CN_DIGITS[n - 10]
    return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")


def _yuan(amount: int) -> str:
    if amount >= 10000 and amount % 1000 == 0:
        return f"{amount / 10000:g}万元"
    return f"{amount}元"


# ---------------------------------------------------------------------------------- people

# The ~100 most common surnames with their approximate share (per mille) of the population.
_SURNAME_TEXT = (
    "王72 李72 张68 刘54 陈46 杨32 黄25 赵23 吴21 周20 徐17 孙16 马15 朱14 胡14 郭13 何12 "
    "高12 林12 罗11 郑10 梁10 谢9 宋8 唐8 许8 韩8 冯7 邓7 曹7 彭7 曾7 肖6 田6 董6 袁6 潘6 "
    "于6 蒋6 蔡6 余5 杜5 叶5 程5 苏5 魏5 吕5 丁5 任5 沈5 姚4 卢4 姜4 崔4 钟4 谭4 陆4 汪4 "
    "范4 金4 石3 廖3 贾3 夏3 韦3 付3 方3 白3 邹3 孟3 熊2 秦2 邱2 江2 尹2 薛2 闫2 段2 雷2 "
    "侯2 龙2 史2 陶2 黎2 贺2 顾2 毛1 郝1 龚1 邵1 万1 钱1 严1 覃1 武1 戴1 莫1 孔1 向1 汤1 "
    "常1 温1 康1 施1 牛1 欧阳0.3 司马0.1 上官0.1"
)
_SURNAMES: list[tuple[str, float]] = [
    (m.group(1), float(m.group(2))) for m in re.finditer(r"([^\s\d.]+)([\d.]+)", _SURNAME_TEXT)
]

_MALE_CHARS = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林洋峰建国志春海文东德振永庆"
    "福金良成荣新胜树宏立贵义忠山兵彬博晨然哲睿亮光民生利祥锋松柏江长"
)
_FEMALE_CHARS = (
    "芳娜敏静秀丽艳娟霞燕玲桂英兰萍红梅琳莉婷雪慧颖倩洁琴云凤玉珍丹晶悦欣怡婧璐佳雨琪涵"
    "萱彤月春淑美荣菊香翠娥"
)
_CLASSIC_MALE = (
    "建国",
    "建华",
    "国庆",
    "卫东",
    "志强",
    "德明",
    "永刚",
    "宝山",
    "振华",
    "文斌",
    "长顺",
    "金生",
    "玉田",
    "树林",
    "立新",
    "连成",
    "宝林",
    "福来",
    "庆丰",
    "新民",
)
_CLASSIC_FEMALE = (
    "秀英",
    "桂兰",
    "淑珍",
    "凤英",
    "玉兰",
    "秀兰",
    "桂英",
    "素芬",
    "秀珍",
    "淑芬",
    "桂芳",
    "翠兰",
    "玉梅",
    "美华",
    "丽华",
    "春燕",
    "海燕",
    "红梅",
    "秀云",
    "凤霞",
)
_MODERN_MALE = ("子轩", "浩然", "宇航", "一鸣", "梓豪", "俊熙", "博文", "嘉懿", "思远", "皓轩")
_MODERN_FEMALE = ("欣怡", "梓涵", "诗涵", "雨萱", "可馨", "佳怡", "思琪", "梦瑶", "雅婷", "一诺")

# Where parties' ID numbers were issued: mostly the office's own district, then the rest of
# Tianjin (including the old county codes older people still carry), then migrant workers
# from neighbouring provinces.
_ID_REGIONS = _Weighted(
    [
        (OFFICE_ID_PREFIX, 55.0),
        ("120101", 3.0),
        ("120103", 4.0),
        ("120104", 4.0),
        ("120105", 4.0),
        ("120106", 2.0),
        ("120110", 5.0),
        ("120111", 2.0),
        ("120112", 2.0),
        ("120113", 2.0),
        ("120114", 1.5),
        ("120115", 1.0),
        ("120116", 1.5),
        ("120221", 1.0),
        ("120223", 1.0),
        ("120225", 1.0),
        ("130102", 1.0),
        ("130203", 0.8),
        ("131002", 1.2),
        ("130902", 0.8),
        ("370102", 0.6),
        ("371402", 0.8),
        ("410102", 0.8),
        ("411302", 0.6),
        ("341202", 0.5),
        ("230103", 0.5),
        ("210102", 0.4),
        ("150102", 0.3),
        ("140105", 0.4),
    ]
)
_MIGRANT_REGIONS = ("131002", "130902", "371402", "410102", "411302", "341202", "130203")
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
)
_N_MOBILE = len(_MOBILE_PREFIXES)
_ETHNICITIES = _Weighted([("01", 96.0), ("03", 2.0), ("11", 1.2), ("02", 0.5), ("10", 0.3)])
_OCCUPATIONS_RURAL = (
    "务农",
    "务农",
    "务农",
    "个体经营",
    "务工",
    "务工",
    "养殖户",
    "村干部",
    "无业",
)
_OCCUPATIONS_URBAN = (
    "职员",
    "个体经营",
    "退休",
    "教师",
    "司机",
    "外卖骑手",
    "快递员",
    "保洁员",
    "厨师",
    "无业",
    "工人",
    "销售",
    "会计",
    "保安",
    "自由职业",
)
_OCCUPATION_OLD = ("退休", "务农", "无业")
_OCCUPATIONS_WORKER = ("建筑工人", "钢筋工", "木工", "瓦工", "电焊工", "装修工人", "搬运工")

_ORG_WORDS = (
    "鑫达",
    "宏远",
    "恒泰",
    "兴业",
    "华盛",
    "金桥",
    "海河",
    "津港",
    "永安",
    "德润",
    "瑞丰",
    "佳和",
    "万通",
    "盛世",
    "福源",
    "隆昌",
    "正阳",
    "东辰",
    "广厦",
    "安居",
    "新纪元",
    "顺发",
    "嘉禾",
    "天成",
)
_ORG_SUFFIX = {
    "construction": "建筑工程有限公司",
    "labour": "劳务服务有限公司",
    "property": "物业服务有限公司",
    "travel": "国际旅行社有限公司",
    "ecommerce": "电子商务有限公司",
    "decoration": "装饰工程有限公司",
    "clinic": "门诊部有限公司",
    "trade": "商贸有限公司",
    "factory": "机械制造有限公司",
    "catering": "餐饮管理有限公司",
}
_STREETS = (
    "十一经路",
    "六纬路",
    "八纬路",
    "津塘路",
    "新开路",
    "大直沽中路",
    "卫国道",
    "程林街",
    "华昌大道",
    "嵩山道",
    "万东路",
    "中山门二号路",
    "东兴路",
    "华越道",
)


# ------------------------------------------------------------------------------- narratives


@dataclass(frozen=True)
class _Scenario:
    """One kind of dispute, with templates for everything written about it.

    Slots every template may use: {a} {b} (applicants, respondents), {a1} {b1} (first of each),
    {v} (village), {g} (group), {amt} (claimed amount), {amt2} (agreed amount), {ym} (when it
    began), {n} (a small count), {m} (metres), {rel} (relationship), {item}, {deadline},
    {place}, {kid}, {wh} (村委会 or 居委会).
    """

    dispute: str
    sub: str | None
    weight: float
    summary: tuple[str, ...]
    claims: tuple[str, ...]
    defense: tuple[str, ...]
    evidence: str
    law: str
    facts: str
    terms: tuple[str, ...]
    oral: tuple[str, ...]
    qa: tuple[tuple[str, str], ...]
    failure: tuple[str, ...]
    success: float = 0.84
    amount: tuple[int, int] | None = None
    org: str | None = None  # kind of organisation on the other side
    org_share: float = 0.0  # chance that side is an organisation
    org_applies: bool = False  # the organisation is the applicant (property fees…)
    rel: tuple[str, ...] = ("同村村民",)
    items: tuple[str, ...] = ("",)
    status_matter: str | None = None
    status_matter_share: float = 0.0
    private: float = 0.05
    urban: bool = False  # typical of residential communities
    consult: str = "other"  # consultation category
    migrant: bool = False  # applicants often from other provinces
    manners: tuple[str, ...] = ("一次性现金支付", "银行转账一次性支付")


_S: list[_Scenario] = [
    # 邻里 ---------------------------------------------------------------------------------
    _Scenario(
        "neighbourhood",
        None,
        9,
        summary=(
            "{a}与{b}系{v}{g}前后院邻居。{ym}，{b}翻修房屋时将屋檐向外延伸约{m}米，雨天屋檐滴水及排水沟积水"
            "流入{a}院内，致其院墙墙根返潮。{a}多次找{b}协商未果，双方发生争吵，{a}申请调解。",
            "{a}与{b}两家相邻，{b}在两家之间的公共通道上{item}，{a}认为影响通行和排水，双方多次口角，"
            "{ym}一度发生推搡。经{wh}劝说未果，{a}向本委员会申请调解。",
        ),
        claims=(
            "请求{b}改造屋檐排水，使雨水不再流入申请人院内",
            "请求{b}清理公共通道上的堆放物，恢复通行",
            "请求{b}赔偿院墙修缮费用{amt}",
        ),
        defense=(
            "屋檐是按老房子原样翻修的，排水沟是两家共用的，不同意全部由自己负责",
            "东西只是临时放一下，没有挡住路，对方是故意找茬",
        ),
        evidence="双方房屋及院墙现场情况、{wh}留存的宅基地使用证复印件",
        law="《民法典》第二百八十八条至第二百九十六条关于相邻关系的规定",
        facts="{a}与{b}系相邻关系，因{b}翻修房屋屋檐滴水、排水不畅影响{a}院墙发生纠纷。",
        terms=(
            "{b}于{deadline}前自行将屋檐排水改为向自家院内排放，并加装接水槽",
            "{b}一次性补偿{a}院墙修缮费用{amt2}",
            "双方今后本着团结互助、公平合理的原则处理相邻关系，不再因此事发生争执",
        ),
        oral=(
            "{b}同意清理公共通道上的堆放物，{a}不再追究，双方握手言和。",
            "双方同意共同出工疏通排水沟，费用各半承担。",
        ),
        qa=(
            (
                "你与{b}是什么关系？纠纷是怎么发生的？",
                "我们是前后院邻居，{ym}他家翻修房子后雨水就往我家院里流。",
            ),
            ("你的院墙受损情况如何？", "墙根返潮，有一段墙皮已经脱落，修一下大概要{amt}。"),
            ("之前是否协商过？", "找过他好几次，也请村里调解过，他一直不同意改。"),
        ),
        failure=(
            "{b}坚持认为屋檐系按原样翻修，拒绝承担任何改造及赔偿责任，双方分歧较大。",
            "双方对通道归属各执一词，{a}坚持要求{b}赔偿，调解未能达成一致。",
        ),
        success=0.88,
        amount=(800, 6000),
        rel=("前后院邻居", "左右邻居"),
        items=("堆放砖瓦和柴草", "私自砌筑围墙", "停放农用三轮车", "搭建鸡舍"),
        consult="tort",
    ),
    _Scenario(
        "neighbourhood",
        None,
        7,
        summary=(
            "{a}与{b}系{v}同一单元上下楼邻居。{b}家{item}，{a}称长期影响其家人休息，多次敲门沟通无果，"
            "双方在楼道内发生争吵，社区网格员将纠纷报至本委员会。",
            "{a}反映，楼上住户{b}{item}，已持续约{n}个月，其家中老人和孩子无法正常休息。双方经物业协调"
            "未果，{a}申请人民调解。",
        ),
        claims=("请求{b}停止噪声扰民行为", "请求{b}在夜间二十二时至次日六时不得进行产生噪声的活动"),
        defense=(
            "家里正常生活，没有故意制造噪声，对方过于敏感",
            "装修已经接近尾声，可以调整施工时间",
        ),
        evidence="社区网格员走访记录、物业登记的投诉记录",
        law="《民法典》第二百九十四条、《噪声污染防治法》关于社会生活噪声的规定",
        facts="{a}与{b}系上下楼邻居，因{b}家{item}影响{a}家休息发生纠纷。",
        terms=(
            "{b}承诺每日二十二时至次日六时、十二时至十四时不进行产生噪声的活动",
            "{b}于{deadline}前在室内地面铺设减震垫",
            "{a}今后遇到问题先与{b}或物业沟通，不得采取敲击暖气管道等方式报复",
        ),
        oral=(
            "{b}当场表示今后注意控制声音，{a}表示谅解，双方互留联系方式。",
            "双方同意装修时间调整为工作日九时至十八时，周末不施工。",
        ),
        qa=(
            ("噪声从什么时候开始？一般在什么时段？", "大概{n}个月了，晚上十点以后经常有。"),
            ("你有没有留存证据？", "手机录了几段视频，物业也有我的投诉记录。"),
            ("你希望怎么解决？", "只要晚上别再吵就行，不要求赔偿。"),
        ),
        failure=("{b}否认存在噪声扰民，拒绝作出任何承诺，{a}表示将向有关部门投诉。",),
        success=0.9,
        amount=None,
        urban=True,
        rel=("上下楼邻居",),
        items=(
            "夜间经常拖动桌椅、跑跳",
            "装修施工时间过长",
            "饲养的犬只夜间吠叫",
            "夜间在家中唱歌",
        ),
        consult="tort",
    ),
    _Scenario(
        "neighbourhood",
        None,
        4,
        summary=(
            "{a}与{b}系{v}邻居。{b}在两家交界处种植的{item}逐年长高，树冠伸入{a}院内遮挡阳光，落叶堵塞"
            "房顶排水，{a}要求修剪，{b}不同意，双方为此多次争吵。",
        ),
        claims=("请求{b}修剪越界树枝", "请求{b}承担清理排水的费用{amt}"),
        defense=("树是种在自己宅基地上的，修剪可以，但不能砍",),
        evidence="双方宅基地界址及树木现场照片",
        law="《民法典》关于相邻关系的规定",
        facts="{a}与{b}因{b}种植的{item}树枝越界遮挡阳光发生纠纷。",
        terms=(
            "{b}于{deadline}前修剪伸入{a}院内的树枝",
            "今后每年秋季由{b}负责修剪一次",
            "{a}放弃其他请求",
        ),
        oral=("{b}同意近期修剪越界树枝，{a}表示满意。",),
        qa=(
            ("树是什么时候种的？", "好多年了，以前小不碍事，这两年长得太高了。"),
            ("你要求对方怎么处理？", "把伸过来的树枝剪掉就行。"),
        ),
        failure=("{b}坚持不同意修剪，{a}表示将通过诉讼解决。",),
        success=0.9,
        amount=(200, 1500),
        rel=("邻居",),
        items=("杨树", "香椿树", "枣树", "梧桐树"),
        consult="tort",
    ),
    # 婚姻家庭 -----------------------------------------------------------------------------
    _Scenario(
        "marriage_family",
        None,
        5,
        summary=(
            "{a}现年七十余岁，与老伴居住在{v}，育有子女{n}人。{a}反映，自{ym}起{b}以家庭经济困难为由不再"
            "支付赡养费，老人看病买药无人过问。{a}经{wh}介绍申请调解，要求子女按月支付赡养费。",
            "{a}年事已高且患有慢性病，其子女{b}因赡养费分担比例及老人轮流居住问题产生矛盾，互相推诿，"
            "{a}无人照料，遂申请调解。",
        ),
        claims=(
            "请求{b}每月支付赡养费{amt}",
            "请求{b}分担{a}住院期间的医疗费用",
            "请求子女轮流照料老人生活",
        ),
        defense=(
            "自己家里也困难，孩子上学花钱多，其他兄弟姐妹应当多出",
            "老人分家时偏向其他子女，赡养应当按分家时的约定",
        ),
        evidence="{a}的病历及医疗费票据、{wh}出具的家庭情况说明",
        law="《民法典》第一千零六十七条关于成年子女赡养义务的规定、《老年人权益保障法》",
        facts="{a}与其子女{b}因赡养费支付及老人照料问题发生纠纷。",
        terms=(
            "{b}自{deadline}起每月十日前向{a}支付赡养费{amt2}",
            "{a}住院治疗的自付医疗费用由子女平均分担",
            "子女每周至少探望老人一次，逢年过节轮流接老人回家团聚",
        ),
        oral=(
            "子女当场表示今后轮流照顾老人，每人每月给付生活费，老人表示满意。",
            "{b}同意承担老人本次住院的自付医疗费用。",
        ),
        qa=(
            ("你有几个子女？现在跟谁生活？", "有{n}个孩子，现在跟老伴单独住。"),
            ("子女以前给过赡养费吗？", "以前每月给一些，{ym}以后就不给了。"),
            ("你现在的身体和收入情况？", "有高血压和糖尿病，每月只有一点养老金，不够看病。"),
        ),
        failure=("{b}坚持认为其他子女应当多承担，拒不接受调解方案，已告知{a}可向人民法院起诉。",),
        success=0.86,
        amount=(300, 1500),
        rel=("母子", "父子", "母女", "父女"),
        private=0.5,
        consult="marriage_family",
        manners=("按月现金支付", "按月银行转账支付"),
    ),
    _Scenario(
        "marriage_family",
        None,
        4,
        summary=(
            "{a}与{b}于{ym}协议离婚，婚生子{kid}随{a}生活，约定{b}每月支付抚养费。近{n}个月{b}未按约定"
            "支付，并以各种理由拒绝{a}带孩子与其见面的安排，双方矛盾加深，{a}申请调解。",
        ),
        claims=(
            "请求{b}补付拖欠的抚养费{amt}",
            "请求{b}按离婚协议按时支付抚养费",
            "请求明确探望子女的时间",
        ),
        defense=("近期工作收入减少，不是故意不给", "对方不让看孩子，所以才没有给钱"),
        evidence="双方离婚协议书、抚养费转账记录",
        law="《民法典》第一千零八十五条、第一千零八十六条关于抚养费和探望权的规定",
        facts="{a}与{b}离婚后，因{b}未按离婚协议支付子女{kid}抚养费及探望安排发生纠纷。",
        terms=(
            "{b}于{deadline}前一次性补付拖欠的抚养费{amt2}",
            "{b}今后每月五日前按离婚协议支付抚养费",
            "{b}每月可探望{kid}两次，具体时间双方提前一日商定",
        ),
        oral=("{b}同意补付拖欠的抚养费，双方约定每周六由{b}接孩子。",),
        qa=(
            ("离婚协议对抚养费是怎么约定的？", "每月给一千五，一直给到孩子十八岁。"),
            ("拖欠了多久？", "已经{n}个月没给了。"),
        ),
        failure=("{b}表示无力支付，双方对探望安排意见分歧，已告知可向人民法院起诉。",),
        success=0.8,
        amount=(3000, 20000),
        rel=("原夫妻",),
        private=0.8,
        consult="marriage_family",
    ),
    _Scenario(
        "marriage_family",
        None,
        3,
        summary=(
            "{a}与{b}系夫妻，婚后育有一子{kid}。近年来双方因家庭琐事及{item}经常争吵，感情不和，{a}提出离婚，"
            "{b}不同意，双方为此矛盾激化，{a}娘家亲属出面申请调解。",
        ),
        claims=(
            "请求解除与{b}的婚姻关系",
            "请求{kid}随{a}生活，{b}支付抚养费",
            "请求依法分割夫妻共同财产",
        ),
        defense=("夫妻感情没有破裂，只是一时气话，不同意离婚",),
        evidence="双方结婚证、{wh}出具的情况说明",
        law="《民法典》婚姻家庭编关于离婚的规定",
        facts="{a}与{b}系夫妻，因家庭琐事及{item}发生矛盾，就婚姻关系及子女抚养问题发生纠纷。",
        terms=(
            "双方同意和好，共同维护家庭",
            "{b}承诺不再{item}，家庭收入由双方共同管理",
            "双方如再发生矛盾，先请双方父母或{wh}协调",
        ),
        oral=("经耐心劝解，双方同意和好，{b}当面向{a}道歉。",),
        qa=(
            ("你们结婚多少年了？", "结婚{n2}年了，孩子上小学。"),
            ("矛盾的主要原因是什么？", "他{item}，家里什么事都不管。"),
        ),
        failure=(
            "{a}坚持离婚，{b}坚决不同意，双方对子女抚养分歧较大，已告知可向人民法院提起离婚诉讼。",
        ),
        success=0.6,
        amount=None,
        rel=("夫妻",),
        private=0.9,
        status_matter="marriage",
        status_matter_share=1.0,
        items=("长期沉迷赌博", "酗酒", "经济问题", "与老人相处问题"),
        consult="marriage_family",
    ),
    _Scenario(
        "marriage_family",
        None,
        3,
        summary=(
            "{a}与{b}系兄弟姐妹关系。父母去世后留有位于{v}的房屋{n}间及存款，{b}一直居住在该房屋内，"
            "{a}要求分割遗产，{b}称父母生前口头表示房屋归其所有，双方因遗产分割发生纠纷。",
        ),
        claims=("请求依法分割父母遗留的房屋及存款", "请求{b}给付房屋折价款{amt}"),
        defense=("父母生前一直由自己照顾，老人说过房子留给自己",),
        evidence="房屋宅基地使用证、父母死亡证明、{wh}出具的亲属关系证明",
        law="《民法典》继承编关于法定继承和遗产分配的规定",
        facts="{a}与{b}因父母遗留房屋及存款的继承问题发生纠纷。",
        terms=(
            "父母遗留房屋归{b}所有",
            "{b}于{deadline}前向{a}支付房屋折价款{amt2}",
            "父母遗留存款由双方平均分配，双方再无其他争议",
        ),
        oral=("兄弟姐妹同意房屋由{b}居住使用，{b}给付其他继承人一定补偿。",),
        qa=(
            ("父母有没有留下遗嘱？", "没有书面遗嘱，只是口头说过。"),
            ("父母生前主要由谁照顾？", "主要是{b}照顾，我们也常回来看。"),
        ),
        failure=("双方对老人是否口头遗赠存在根本分歧，调解未成，已告知可向人民法院起诉。",),
        success=0.78,
        amount=(20000, 150000),
        rel=("兄弟", "姐弟", "兄妹"),
        private=0.5,
        consult="inheritance",
        manners=("银行转账一次性支付", "分两期银行转账支付"),
    ),
    # 房屋宅基地 ---------------------------------------------------------------------------
    _Scenario(
        "housing_homestead",
        None,
        6,
        summary=(
            "{a}与{b}宅基地相邻。{ym}{b}翻建房屋时，新砌院墙向{a}一侧占用约{m}米，{a}认为侵占其宅基地，"
            "要求{b}拆除，{b}称系按原墙基建设，双方发生争执，工程被迫停工。",
        ),
        claims=("请求{b}拆除越界部分院墙，恢复原宅基地界址", "请求{b}赔偿损失{amt}"),
        defense=("是按原来的墙基砌的，没有多占一寸地", "老界址已经说不清了，应当以村里测量为准"),
        evidence="双方宅基地使用证、{wh}保存的宅基地审批资料，并会同{wh}对界址进行了现场测量",
        law="《民法典》物权编关于宅基地使用权和相邻关系的规定、《土地管理法》",
        facts="{a}与{b}宅基地相邻，因{b}翻建房屋时院墙界址问题发生纠纷，经现场测量，{b}新建院墙超出原界址约{m}米。",
        terms=(
            "{b}于{deadline}前将超出原界址的院墙拆除，按测量确定的界址重新砌筑",
            "{b}补偿{a}损失{amt2}",
            "双方以本次测量确定的界址为准，今后不再就此发生争议",
        ),
        oral=("双方同意以{wh}测量的界址为准，{b}自行调整院墙位置。",),
        qa=(
            ("你们两家的宅基地是什么时候划定的？", "上世纪八十年代村里统一划的，有证。"),
            ("对方占了多少？", "大概{m}米，整条墙都往我这边挪了。"),
            ("你希望如何处理？", "按原来的界址把墙退回去。"),
        ),
        failure=(
            "{b}不认可测量结果，拒绝拆除院墙，已告知{a}可向有关行政机关申请确权或向人民法院起诉。",
        ),
        success=0.8,
        amount=(2000, 20000),
        rel=("相邻宅基地使用人",),
        consult="housing_homestead",
    ),
    _Scenario(
        "housing_homestead",
        None,
        4,
        summary=(
            "{a}居住在{v}{g}，{ym}起其卫生间顶棚出现渗水，经查系楼上{b}家卫生间防水层破损所致。{a}家顶棚"
            "及墙面发霉脱落，多次要求{b}维修并赔偿，{b}以房屋老旧为由推脱，{a}申请调解。",
        ),
        claims=("请求{b}修复防水层，停止渗漏", "请求{b}赔偿装修损失{amt}"),
        defense=("房子是老楼，漏水不一定是我家的原因", "愿意维修，但赔偿金额太高"),
        evidence="物业维修人员出具的渗漏检查记录、{a}家受损情况照片",
        law="《民法典》第一千一百六十五条及相邻关系的规定",
        facts="{b}家卫生间防水层破损，渗水造成楼下{a}家顶棚及墙面受损。",
        terms=(
            "{b}于{deadline}前请专业人员重做卫生间防水并做闭水试验",
            "{b}赔偿{a}装修损失{amt2}",
            "如防水修复后再次渗漏，由{b}负责维修",
        ),
        oral=("{b}同意尽快维修防水，并承担{a}家顶棚的粉刷费用。",),
        qa=(
            ("渗水从什么时候开始？", "{ym}开始，下水一多就往下滴。"),
            ("物业有没有查过？", "查过，说是楼上卫生间防水坏了。"),
        ),
        failure=("双方对赔偿金额分歧过大，{b}只同意维修不同意赔偿，已告知可向人民法院起诉。",),
        success=0.85,
        amount=(1500, 12000),
        urban=True,
        rel=("上下楼邻居",),
        consult="housing_homestead",
    ),
    # 合同 -----------------------------------------------------------------------------------
    _Scenario(
        "contract",
        None,
        7,
        summary=(
            "{ym}，{b}因{item}向{a}借款{amt}，出具借条一张，约定{n}个月内归还。借款到期后{a}多次催要，{b}"
            "以手头紧张为由一直拖欠，双方为此多次争吵，{a}申请调解。",
        ),
        claims=("请求{b}归还借款{amt}", "请求{b}按约定支付利息"),
        defense=("借款属实，但近期资金困难，希望分期归还", "已经还过一部分现金，对方没有扣除"),
        evidence="{b}出具的借条原件、双方微信聊天记录",
        law="《民法典》合同编关于借款合同的规定",
        facts="{ym}{b}向{a}借款{amt}并出具借条，借款到期后未归还。",
        terms=(
            "{b}于{deadline}前向{a}归还借款{amt2}",
            "{a}放弃主张利息",
            "{b}按期履行后，{a}将借条原件退还{b}",
        ),
        oral=("{b}承认借款，同意分期归还，{a}同意免除利息。",),
        qa=(
            ("借款是什么时候、以什么方式交付的？", "{ym}，现金给了一部分，剩下的微信转账。"),
            ("有没有借条？", "有，他亲笔写的，也按了手印。"),
            ("对方还过钱吗？", "一分都没还。"),
        ),
        failure=(
            "{b}对已还款数额与{a}各执一词，双方未能达成一致，已告知{a}可持借条向人民法院起诉。",
        ),
        success=0.8,
        amount=(3000, 100000),
        rel=("朋友", "同村村民", "亲戚"),
        items=("购买农机", "装修房屋", "做生意周转", "孩子上学"),
        consult="lending",
        manners=("分期银行转账支付", "一次性现金支付", "银行转账一次性支付"),
    ),
    _Scenario(
        "contract",
        None,
        4,
        summary=(
            "{a}于{ym}向{b}出售{item}，货款共计{amt}，{b}收货后仅支付部分货款，余款以产品质量存在问题为由"
            "拒付，{a}多次催要未果，申请调解。",
        ),
        claims=("请求{b}支付剩余货款{amt}",),
        defense=("部分货物质量不合格，应当扣减货款",),
        evidence="送货单、对账单及双方往来微信记录",
        law="《民法典》合同编关于买卖合同的规定",
        facts="{a}向{b}出售{item}，{b}尚欠货款{amt}未付。",
        terms=(
            "{b}于{deadline}前向{a}支付货款{amt2}",
            "{a}对已交付货物中存在瑕疵的部分予以让价",
            "双方买卖合同关系至此结清",
        ),
        oral=("{b}同意扣除少量瑕疵货款后付清余款。",),
        qa=(
            ("双方有没有签订书面合同？", "没有书面合同，有送货单和对账单。"),
            ("对方说货物有质量问题，你怎么看？", "收货时当场验过，当时没提出异议。"),
        ),
        failure=(
            "双方对货物质量问题分歧较大，{b}坚持要求退货，调解不成，已告知可向人民法院起诉。",
        ),
        success=0.78,
        amount=(5000, 80000),
        org="trade",
        org_share=0.4,
        items=("玉米", "水果", "建材", "钢材", "饲料"),
        rel=("生意伙伴",),
        consult="contract",
    ),
    # 生产经营 -------------------------------------------------------------------------------
    _Scenario(
        "business_operation",
        None,
        4,
        summary=(
            "{a}与{b}于{ym}合伙经营{item}，约定各出资一半、利润均分。经营约{n}年后因经营理念不合散伙，"
            "双方对合伙期间的账目及设备分配存在争议，{a}申请调解。",
        ),
        claims=("请求对合伙账目进行清算", "请求{b}返还投资款{amt}"),
        defense=("合伙期间亏损，{a}应当共同承担亏损",),
        evidence="合伙协议、经营账本及银行流水",
        law="《民法典》合同编关于合伙合同的规定",
        facts="{a}与{b}合伙经营{item}，散伙后因账目清算及设备分配发生纠纷。",
        terms=(
            "合伙期间的设备归{b}所有",
            "{b}于{deadline}前向{a}支付合伙清算款{amt2}",
            "双方合伙关系自本协议签订之日起解除，债权债务两清",
        ),
        oral=("双方同意按账本清算，{b}给付{a}部分投资款。",),
        qa=(
            ("合伙有没有书面协议？", "有一份手写协议，约定各占一半。"),
            ("账目由谁管理？", "一直是{b}管账。"),
        ),
        failure=("双方对账目真实性存在重大分歧，调解不成，已告知可向人民法院起诉。",),
        success=0.75,
        amount=(10000, 120000),
        rel=("合伙人",),
        items=("养殖场", "饭店", "农资门市", "蔬菜大棚"),
        consult="contract",
    ),
    _Scenario(
        "business_operation",
        None,
        3,
        summary=(
            "{a}承包{v}坑塘养鱼，{ym}{b}经营的{item}排放的污水流入坑塘，造成鱼苗大量死亡。{a}要求赔偿，"
            "{b}否认污水系其排放，双方发生争执。",
        ),
        claims=("请求{b}赔偿鱼苗损失{amt}", "请求{b}停止排放污水"),
        defense=("排水管道是村里的，不能确定是自己排的",),
        evidence="坑塘现场照片、{a}购买鱼苗的票据、{wh}出具的情况说明",
        law="《民法典》侵权责任编的规定",
        facts="{b}经营的{item}排水流入{a}承包的坑塘，造成鱼苗死亡。",
        terms=("{b}赔偿{a}鱼苗损失{amt2}", "{b}于{deadline}前对排水口进行封堵改造"),
        oral=("{b}同意改造排水口并给付一定补偿。",),
        qa=(("鱼苗死了多少？", "大约死了一半，买的时候花了{amt}。"),),
        failure=("{b}否认污水系其排放，拒绝赔偿，已告知{a}可申请环境监测后向人民法院起诉。",),
        success=0.7,
        amount=(5000, 50000),
        rel=("同村村民",),
        items=("洗车店", "豆腐坊", "养猪场"),
        consult="tort",
    ),
    # 损害赔偿 -------------------------------------------------------------------------------
    _Scenario(
        "damages",
        None,
        5,
        summary=(
            "{ym}，{a}与{b}因{item}发生口角，继而互相推搡，{a}摔倒致{n}根肋骨骨折，住院治疗{n2}天，花去医疗费"
            "{amt}。派出所出警后建议双方通过人民调解解决赔偿问题。",
        ),
        claims=("请求{b}赔偿医疗费、误工费、护理费等共计{amt}",),
        defense=("是对方先动手的，自己也受了伤，对方也有责任",),
        evidence="派出所出警记录、{a}的住院病历及医疗费票据",
        law="《民法典》第一千一百七十九条关于人身损害赔偿范围的规定",
        facts="{a}与{b}因{item}发生肢体冲突，{a}受伤住院治疗。",
        terms=(
            "{b}赔偿{a}医疗费、误工费、护理费等各项损失共计{amt2}",
            "{b}于{deadline}前一次性付清",
            "本协议履行完毕后，双方就此事再无其他争议",
        ),
        oral=("{b}向{a}赔礼道歉并给付医疗费，{a}表示谅解。",),
        qa=(
            ("冲突是怎么发生的？", "因为{item}吵起来，他推了我一把。"),
            ("受伤后在哪里治疗的？", "在区医院住了{n2}天院。"),
            ("对方有没有垫付医疗费？", "没有，都是我自己花的。"),
        ),
        failure=("双方对过错责任分担分歧较大，{b}只同意承担少部分费用，已告知可向人民法院起诉。",),
        success=0.8,
        amount=(3000, 60000),
        rel=("同村村民",),
        items=("停车", "倒垃圾", "孩子打闹", "浇地用水"),
        consult="tort",
    ),
    _Scenario(
        "damages",
        None,
        3,
        summary=(
            "{ym}，{b}在{v}{item}时，不慎将{a}家的{n}只羊撞死/致伤。{a}要求按市场价赔偿，{b}认为要价过高，"
            "双方协商未果，申请调解。",
            "{ym}，{b}家饲养的犬只在{v}村道上将{a}咬伤，{a}注射狂犬疫苗并处理伤口，花去医疗费{amt}。"
            "{b}称犬只系散养，拒绝全额赔偿。",
        ),
        claims=("请求{b}赔偿损失{amt}",),
        defense=("对方的损失没有那么多，要价太高", "对方也有看管不当的责任"),
        evidence="现场照片、医疗票据、{wh}证明",
        law="《民法典》侵权责任编的规定",
        facts="{b}的行为造成{a}财产或人身损害，双方就赔偿数额发生纠纷。",
        terms=("{b}赔偿{a}各项损失共计{amt2}", "{b}于{deadline}前付清"),
        oral=("{b}同意赔偿{amt2}，当场付清。",),
        qa=(("事情是怎么发生的？", "{ym}在村道上发生的，有邻居看见。"),),
        failure=("双方对赔偿数额分歧较大，调解不成。",),
        success=0.86,
        amount=(500, 8000),
        rel=("同村村民",),
        items=("驾驶三轮车", "驾驶农用车"),
        consult="tort",
    ),
    # 山林土地 -------------------------------------------------------------------------------
    _Scenario(
        "forest_land",
        None,
        3,
        summary=(
            "{a}与{b}的承包地南北相邻。{ym}春耕时，{b}耕种时越过地界约{m}米，{a}认为侵占其承包地，要求"
            "{b}退还，{b}认为地界以田埂为准，双方发生争执。",
        ),
        claims=("请求{b}退还越界耕种的承包地", "请求{b}赔偿青苗损失{amt}"),
        defense=("一直以田埂为界，没有越界",),
        evidence="双方土地承包经营权证、{wh}土地台账，并会同村干部现场丈量",
        law="《农村土地承包法》及《民法典》关于土地承包经营权的规定",
        facts="{a}与{b}承包地相邻，因地界问题发生纠纷，经现场丈量确定{b}越界耕种约{m}米。",
        terms=(
            "双方以{wh}现场丈量确定的地界为准并埋设界桩",
            "{b}补偿{a}青苗损失{amt2}",
            "今后双方不得擅自移动界桩",
        ),
        oral=("双方同意由{wh}重新丈量并埋设界桩，以此为界。",),
        qa=(("承包地是什么时候确权的？", "2016年确权颁证的，证上有面积。"),),
        failure=("{b}不认可丈量结果，已告知{a}可向农村土地承包仲裁委员会申请仲裁。",),
        success=0.82,
        amount=(300, 3000),
        rel=("承包地相邻农户",),
        consult="land_contracting",
    ),
    _Scenario(
        "forest_land",
        None,
        2,
        summary=(
            "{a}与{b}对{v}村西一片林地上的{n2}棵{item}归属存在争议。{a}称树木系其父亲生前栽种，{b}称林地"
            "已于多年前由其承包，树木应归其所有，{b}砍伐部分树木后双方发生冲突。",
        ),
        claims=("请求确认林木归{a}所有", "请求{b}赔偿已砍伐树木的损失{amt}"),
        defense=("林地由自己承包，地上树木自然归自己所有",),
        evidence="林地承包合同、{wh}证明及证人证言",
        law="《森林法》及《民法典》关于林木所有权的规定",
        facts="{a}与{b}因林地上树木的归属发生纠纷。",
        terms=(
            "已砍伐树木归{b}所有，{b}补偿{a}{amt2}",
            "剩余树木由{a}于{deadline}前自行处置",
            "林地今后由{b}按承包合同经营",
        ),
        oral=("双方同意剩余树木由{a}处置，林地归{b}继续承包。",),
        qa=(("树木是谁栽的？", "我父亲九十年代栽的，村里老人都知道。"),),
        failure=("双方对林木权属争议较大，已告知可向人民政府申请确权。",),
        success=0.7,
        amount=(2000, 30000),
        rel=("同村村民",),
        items=("杨树", "柳树", "枣树"),
        consult="land_contracting",
    ),
    # 征地拆迁 -------------------------------------------------------------------------------
    _Scenario(
        "land_expropriation",
        None,
        2,
        summary=(
            "{v}部分土地被征收，{a}家获得征地补偿款{amt}。{a}与其兄弟{b}对补偿款的分配比例发生争议，"
            "{b}认为其户口虽已迁出但仍应参与分配，双方为此争吵不休。",
        ),
        claims=("请求确认征地补偿款按{a}家现有家庭成员分配",),
        defense=("自己户口虽然迁出，但地是分家时分给自己的，应当分得补偿款",),
        evidence="征地补偿协议、家庭户口簿、分家协议",
        law="《土地管理法》及《民法典》关于共有财产分割的规定",
        facts="{a}与{b}因征地补偿款分配发生纠纷。",
        terms=("征地补偿款中的{amt2}归{b}所有，其余归{a}家", "{a}于{deadline}前向{b}支付上述款项"),
        oral=("兄弟双方同意按分家时的土地面积分配补偿款。",),
        qa=(("补偿款是怎么发放的？", "村里统一发到我的存折上了。"),),
        failure=("双方对分配比例分歧较大，已告知可向人民法院起诉。",),
        success=0.68,
        amount=(50000, 300000),
        rel=("兄弟",),
        consult="land_contracting",
    ),
    # 环境污染 -------------------------------------------------------------------------------
    _Scenario(
        "environmental_pollution",
        None,
        2,
        summary=(
            "{a}等{n}户居民反映，{b}在{v}开设的{item}油烟、异味严重，排烟管道正对居民窗户，居民长期无法"
            "开窗通风，多次投诉未果，经社区网格员上报申请调解。",
        ),
        claims=("请求{b}加装油烟净化设备并改造排烟管道", "请求{b}控制夜间营业噪声"),
        defense=("已经安装了净化器，符合要求",),
        evidence="社区网格员现场走访记录、居民投诉记录",
        law="《大气污染防治法》及《民法典》第二百九十四条",
        facts="{b}经营的{item}油烟、噪声影响周边居民生活，双方发生纠纷。",
        terms=(
            "{b}于{deadline}前更换油烟净化设备并将排烟管道改至楼顶排放",
            "{b}每日二十二时后停止室外经营",
            "社区负责监督上述措施的落实",
        ),
        oral=("{b}承诺限期整改，居民同意观察整改效果。",),
        qa=(("问题持续多久了？", "开店以来一年多了，夏天最严重。"),),
        failure=("{b}不同意改造排烟管道，已告知居民可向生态环境部门投诉。",),
        success=0.75,
        amount=None,
        org="catering",
        org_share=0.5,
        urban=True,
        rel=("周边居民",),
        items=("烧烤店", "饭店", "小吃店"),
        consult="tort",
    ),
    # 劳动争议 -------------------------------------------------------------------------------
    _Scenario(
        "labour",
        "labour_unpaid_wages",
        5,
        summary=(
            "{a}等人于{ym}起在{b}承接的{item}工地务工，工程完工后{b}以甲方未结算工程款为由拖欠{a}等人工资共计"
            "{amt}。{a}等人多次讨要未果，在工地聚集讨薪，经街道综治中心转交本委员会调解。",
        ),
        claims=("请求{b}支付拖欠的工资{amt}",),
        defense=("工程款尚未结算，不是故意拖欠，结算后马上发放", "部分工人出勤天数有争议"),
        evidence="工地考勤表、工资欠条、工友证言",
        law="《保障农民工工资支付条例》关于工资支付的规定",
        facts="{a}等人在{b}承接的工程务工，{b}拖欠工资{amt}。",
        terms=(
            "{b}于{deadline}前向{a}等人支付拖欠工资{amt2}",
            "{b}通过银行转账方式直接支付至每名工人账户",
            "工资付清后，{a}等人不再就此事上访",
        ),
        oral=("{b}当场承诺月底前付清工资，工人同意等待。",),
        qa=(
            ("你们什么时候开始在工地干活？", "{ym}开始，一直干到工程完工。"),
            ("工资是怎么约定的？", "每天三百块，干完活一起结。"),
            ("有没有考勤或欠条？", "有考勤表，{b}还给打了欠条。"),
        ),
        failure=("{b}称无力支付，已告知{a}等人可向劳动保障监察部门投诉或申请劳动仲裁。",),
        success=0.78,
        amount=(8000, 200000),
        org="construction",
        org_share=0.5,
        rel=("务工人员",),
        items=("住宅楼", "厂房", "道路", "学校教学楼"),
        consult="labour",
        migrant=True,
        manners=("银行转账一次性支付", "分期银行转账支付"),
    ),
    _Scenario(
        "labour",
        "labour_other",
        3,
        summary=(
            "{a}在{b}从事{item}工作{n}年，{ym}{b}以经营困难为由口头通知{a}不再用工，未支付经济补偿，"
            "也未为{a}缴纳社会保险。{a}申请调解，要求支付经济补偿。",
        ),
        claims=("请求{b}支付解除劳动关系的经济补偿{amt}", "请求{b}出具解除劳动关系证明"),
        defense=("{a}是临时工，不存在劳动关系",),
        evidence="工资发放记录、工作证及同事证言",
        law="《劳动合同法》第四十六条、第四十七条",
        facts="{a}与{b}因解除劳动关系的经济补偿问题发生纠纷。",
        terms=(
            "{b}于{deadline}前向{a}支付经济补偿{amt2}",
            "{b}为{a}出具解除劳动关系证明",
            "双方劳动关系于本协议签订之日解除，再无其他争议",
        ),
        oral=("{b}同意给付补偿，{a}同意办理离职手续。",),
        qa=(("你在单位干了多久？", "干了{n}年，每月按时发工资。"),),
        failure=("{b}不承认存在劳动关系，已告知{a}可申请劳动争议仲裁。",),
        success=0.72,
        amount=(5000, 60000),
        org="factory",
        org_share=0.8,
        rel=("劳动者与用人单位",),
        items=("车间操作工", "仓库管理员", "送货司机", "保洁"),
        consult="labour",
    ),
    # 消费 -----------------------------------------------------------------------------------
    _Scenario(
        "consumer",
        "consumer_tourism",
        1,
        summary=(
            "{a}等{n}人于{ym}报名参加{b}组织的旅游团，行程中旅行社擅自减少景点并安排购物，{a}要求退还部分"
            "团费，{b}不同意，{a}申请调解。",
        ),
        claims=("请求{b}退还部分团费{amt}",),
        defense=("景点调整是因为天气原因，已征得游客同意",),
        evidence="旅游合同、行程单及游客拍摄的视频",
        law="《旅游法》及《消费者权益保护法》",
        facts="{a}参加{b}组织的旅游团，因行程变更发生纠纷。",
        terms=("{b}于{deadline}前向{a}退还团费{amt2}",),
        oral=("{b}同意退还部分团费。",),
        qa=(("合同约定的行程是什么？", "六天五晚，合同上写了景点。"),),
        failure=("{b}拒绝退费，已告知可向文化和旅游部门投诉或起诉。",),
        success=0.8,
        amount=(1000, 10000),
        org="travel",
        org_share=1.0,
        consult="consumer",
    ),
    _Scenario(
        "consumer",
        "consumer_ecommerce",
        1,
        summary=(
            "{a}于{ym}通过网络直播在{b}店铺购买{item}，收货后发现与宣传不符，要求退货退款，{b}以商品已拆封为由"
            "拒绝，{a}申请调解。",
        ),
        claims=("请求{b}退货退款{amt}",),
        defense=("商品已拆封影响二次销售，不能无理由退货",),
        evidence="购物订单、直播截图及商品照片",
        law="《消费者权益保护法》《电子商务法》",
        facts="{a}在{b}网店购买{item}，因商品与宣传不符发生纠纷。",
        terms=("{b}为{a}办理退货，于{deadline}前退还货款{amt2}", "退货运费由{b}承担"),
        oral=("{b}同意退货退款。",),
        qa=(("商品有什么问题？", "宣传说是实木的，收到是板材的。"),),
        failure=("{b}拒绝退款，已告知可向市场监管部门投诉。",),
        success=0.82,
        amount=(300, 8000),
        org="ecommerce",
        org_share=0.7,
        urban=True,
        items=("家具", "保健品", "手机", "羽绒服"),
        consult="consumer",
    ),
    _Scenario(
        "consumer",
        "consumer_other",
        2,
        summary=(
            "{a}于{ym}与{b}签订家庭装修合同，合同价款{amt}。施工中{b}使用的{item}与合同约定不符，且工期拖延"
            "{n}个月，{a}要求返工并赔偿，双方发生争执。",
        ),
        claims=("请求{b}按合同约定更换材料并返工", "请求{b}支付逾期违约金"),
        defense=("材料是同档次产品，工期延误是因为业主多次变更设计",),
        evidence="装修合同、材料清单及现场照片",
        law="《民法典》合同编及《消费者权益保护法》",
        facts="{a}与{b}签订装修合同，因材料不符和工期延误发生纠纷。",
        terms=("{b}于{deadline}前更换不符合约定的材料并完工", "{b}减收装修款{amt2}"),
        oral=("{b}同意更换材料并减收部分装修款。",),
        qa=(("合同约定的工期是多久？", "三个月，现在已经拖了{n}个月。"),),
        failure=("双方对违约责任分歧较大，已告知可向人民法院起诉。",),
        success=0.78,
        amount=(20000, 150000),
        org="decoration",
        org_share=0.8,
        urban=True,
        items=("瓷砖", "板材", "水电管材"),
        consult="consumer",
    ),
    # 医疗 -----------------------------------------------------------------------------------
    _Scenario(
        "medical",
        None,
        2,
        summary=(
            "{a}于{ym}在{b}就诊，因{item}接受治疗后出现并发症，转院治疗花费{amt}。{a}认为{b}诊疗存在过错，"
            "要求赔偿，{b}认为诊疗符合规范，双方协商未果，申请调解。",
        ),
        claims=("请求{b}赔偿医疗费、误工费等损失{amt}",),
        defense=("诊疗行为符合诊疗规范，并发症属于医疗风险",),
        evidence="病历资料、医疗费票据，并听取了医疗专家的意见",
        law="《民法典》第一千二百一十八条及《医疗纠纷预防和处理条例》",
        facts="{a}在{b}接受治疗后出现并发症，双方因赔偿问题发生纠纷。",
        terms=(
            "{b}本着人道主义一次性补偿{a}{amt2}",
            "{b}于{deadline}前付清",
            "{a}不再就此事向{b}主张任何权利",
        ),
        oral=("{b}同意给予一定补偿。",),
        qa=(("在哪里治疗的？", "在{b}，做的是{item}。"),),
        failure=("双方对是否存在诊疗过错分歧较大，已告知可申请医疗损害鉴定后向人民法院起诉。",),
        success=0.7,
        amount=(5000, 100000),
        org="clinic",
        org_share=0.9,
        private=0.7,
        items=("牙科种植", "骨折复位", "输液"),
        consult="tort",
    ),
    # 道路交通事故 ---------------------------------------------------------------------------
    _Scenario(
        "road_traffic",
        None,
        5,
        summary=(
            "{ym}，{b}驾驶{item}在{v}附近路口与骑电动自行车的{a}相撞，致{a}受伤住院{n2}天。交警部门认定{b}负"
            "事故主要责任。双方就医疗费、误工费等赔偿事宜协商未果，经交警部门引导申请调解。",
        ),
        claims=("请求{b}赔偿医疗费、误工费、护理费、交通费等共计{amt}",),
        defense=("医疗费中有非必要的检查费用，误工费计算标准过高", "已经垫付了部分医疗费"),
        evidence="道路交通事故认定书、病历及医疗费票据、保险单",
        law="《道路交通安全法》第七十六条、《民法典》侵权责任编",
        facts="{b}驾驶{item}与{a}相撞致{a}受伤，交警部门认定{b}负主要责任。",
        terms=(
            "{b}及其投保的保险公司赔偿{a}各项损失共计{amt2}",
            "扣除{b}已垫付的医疗费后，余款于{deadline}前付清",
            "{a}今后不再就此事故向{b}主张权利",
        ),
        oral=("{b}同意在保险理赔后付清剩余赔偿款。",),
        qa=(
            ("事故是怎么发生的？", "我骑电动车直行，他转弯没让行。"),
            ("住院花了多少钱？", "住了{n2}天，花了差不多{amt}。"),
        ),
        failure=("双方对误工费及护理费计算标准分歧较大，已告知可向人民法院起诉。",),
        success=0.82,
        amount=(3000, 80000),
        rel=("事故双方",),
        items=("小型轿车", "货车", "农用三轮车"),
        consult="traffic_accident",
    ),
    _Scenario(
        "road_traffic",
        None,
        2,
        summary=(
            "{ym}，{a}驾驶小型轿车在{v}路段与{b}驾驶的车辆发生刮蹭，双方车辆受损，交警部门认定双方同等责任。"
            "双方对车辆维修费用的分担发生争议，申请调解。",
        ),
        claims=("请求{b}承担车辆维修费{amt}的一半",),
        defense=("对方车辆维修报价过高",),
        evidence="事故认定书、维修报价单",
        law="《道路交通安全法》",
        facts="{a}与{b}车辆发生刮蹭，双方同等责任。",
        terms=("双方各自承担本方车辆维修费用", "{b}补偿{a}{amt2}"),
        oral=("双方同意各修各车，互不追究。",),
        qa=(("事故认定是什么结论？", "同等责任。"),),
        failure=("双方对维修费用分歧较大，调解不成。",),
        success=0.88,
        amount=(1000, 10000),
        rel=("事故双方",),
        consult="traffic_accident",
    ),
    # 物业 -----------------------------------------------------------------------------------
    _Scenario(
        "property_management",
        None,
        3,
        summary=(
            "{b}系{v}{g}业主，自{ym}起以物业服务不到位、{item}为由拒交物业费，累计拖欠{amt}。{a}多次催缴未果，"
            "申请调解。",
        ),
        claims=("请求{b}交纳拖欠的物业费{amt}",),
        defense=("物业服务不到位，{item}，应当减免物业费",),
        evidence="物业服务合同、缴费记录及小区公共设施维修记录",
        law="《民法典》合同编关于物业服务合同的规定",
        facts="{b}拖欠{a}物业费{amt}，理由为{item}。",
        terms=(
            "{b}于{deadline}前交纳拖欠的物业费{amt2}",
            "{a}于一个月内解决{b}反映的{item}问题",
            "{a}免除{b}的滞纳金",
        ),
        oral=("{a}承诺整改，{b}同意补交物业费。",),
        qa=(("为什么不交物业费？", "{item}，找物业好几次都不管。"),),
        failure=("{b}坚持要求物业先整改后交费，双方未能达成一致，已告知可向人民法院起诉。",),
        success=0.85,
        amount=(1200, 9000),
        org="property",
        org_share=1.0,
        org_applies=True,
        urban=True,
        items=("电梯经常故障", "楼道卫生无人打扫", "小区停车混乱", "地下室长期积水"),
        consult="contract",
    ),
    _Scenario(
        "property_management",
        None,
        2,
        summary=(
            "{a}系{v}{g}业主，{ym}其停放在小区内的电动自行车被盗/车辆被高空坠物砸坏，{a}认为{b}安保不到位，"
            "要求赔偿{amt}，{b}拒绝。",
        ),
        claims=("请求{b}赔偿损失{amt}",),
        defense=("物业服务合同不包括车辆保管义务",),
        evidence="监控录像、报警回执及物业服务合同",
        law="《民法典》第九百四十二条",
        facts="{a}在小区内的财产受损，双方就物业公司责任发生纠纷。",
        terms=("{b}补偿{a}{amt2}", "{b}于{deadline}前增设监控设施"),
        oral=("{b}同意给予少量补偿并加强巡逻。",),
        qa=(("事情发生在什么时候？", "{ym}晚上，第二天早上发现的。"),),
        failure=("{b}拒绝承担责任，调解不成。",),
        success=0.75,
        amount=(800, 8000),
        org="property",
        org_share=1.0,
        urban=True,
        consult="contract",
    ),
    # 其他 -----------------------------------------------------------------------------------
    _Scenario(
        "other",
        None,
        2,
        summary=(
            "{a}与{b}系{rel}。{ym}{b}借用{a}的{item}后损坏，{a}要求赔偿，{b}认为物品本身老旧，只同意部分赔偿，"
            "双方为此发生矛盾，申请调解。",
        ),
        claims=("请求{b}赔偿{item}损失{amt}",),
        defense=("借的时候东西就有毛病",),
        evidence="物品照片及维修报价",
        law="《民法典》关于借用和侵权的规定",
        facts="{b}借用{a}的{item}后损坏，双方就赔偿发生纠纷。",
        terms=("{b}赔偿{a}{amt2}", "{b}于{deadline}前付清"),
        oral=("{b}同意出钱维修，双方和好。",),
        qa=(("借了多久？", "借了{n}天，还回来就坏了。"),),
        failure=("双方分歧较大，调解不成。",),
        success=0.9,
        amount=(300, 5000),
        rel=("同村村民", "亲戚", "朋友"),
        items=("农用三轮车", "收割机", "电动车", "发电机"),
    ),
]

_SCENARIOS = _Weighted([(s, s.weight) for s in _S])

_RELATIONS_KID = ("小宇", "小雨", "乐乐", "欣欣", "浩浩", "童童", "朵朵", "天天")
_SESSION_PLACES = ("本委员会调解室", "司法所调解室", "{v}{wh}会议室", "{v}党群服务中心")
_SESSION_OPENING = (
    "调解员{med}向双方当事人告知了人民调解的性质、原则和效力，以及当事人在调解活动中享有的权利和承担的义务，"
    "双方表示清楚，同意由{med}主持调解，不申请回避。"
)
_SESSION_MIDDLE = (
    "申请人{a1}陈述了纠纷经过，{claim}。被申请人{b1}陈述：{defense}。调解员核实了{evidence}，向双方讲解了{law}，"
    "并提示双方通过诉讼解决可能需要的时间和费用。"
)
_SESSION_AGAIN = "调解员{med}继续主持调解，双方就上次调解后的考虑交换了意见。"
_SESSION_CLOSE_OK = "经反复做双方工作，双方自愿达成协议，协议内容见调解协议书/口头协议登记表。"
_SESSION_CLOSE_AGAIN = "双方分歧仍较大，同意回去考虑后再次调解，约定{n}日后再来。"
_SESSION_CLOSE_FAIL = "{failure}调解员告知当事人可以依法通过仲裁、行政、司法等途径维护自己的权利。"
_SESSION_RESULTS_AGAIN = ("双方分歧较大，约定再次调解", "双方态度有所缓和，择期继续调解")
_FOLLOW_NOTES = {
    "performed": "回访时{a1}表示{b1}已按协议履行完毕，双方关系已恢复正常，对调解结果满意。",
    "partial": "回访时{a1}表示{b1}已履行部分义务，剩余部分尚未履行，调解员已督促{b1}尽快履行。",
    "unperformed": "回访时{a1}表示{b1}至今未履行协议，调解员已与{b1}联系督促履行，并告知{a1}可申请司法确认或起诉。",
}
_FOLLOW_MEASURES = {
    "performed": "",
    "partial": "电话督促被申请人按期履行剩余义务",
    "unperformed": "约谈被申请人督促履行，告知申请人可依法申请强制执行或起诉",
}
_CONSENT_RECORD = (
    "{on}，因{why}，经调解员征询，申请人{a1}、被申请人{b1}均同意将调解期限延长至{new_due}，"
    "双方已在延长调解期限同意书上签名。"
)
_EXTENSION_WHY = (
    "需等待伤情鉴定结果",
    "需核对账目",
    "一方当事人外出务工暂未返回",
    "需现场测量界址",
)
_DIFFICULT_NOTE = "本案涉及人数较多、矛盾易激化，列为疑难复杂纠纷，由司法所全程参与调解。"
_FAILURE_ROUTES = {
    "labour": ("arbitration", "administrative"),
    "land_expropriation": ("administrative", "litigation"),
    "forest_land": ("arbitration", "administrative"),
    "environmental_pollution": ("administrative", "litigation"),
    "consumer": ("administrative", "litigation"),
}

# Sources of cases and how the referring body numbers its paper.
_SOURCES = _Weighted(
    [
        (("applied", None), 64.0),
        (("proactive", None), 15.0),
        (("referred", "court_assigned"), 5.0),
        (("referred", "court_entrusted"), 2.0),
        (("referred", "police"), 8.0),
        (("referred", "petition"), 2.5),
        (("referred", "procuratorate"), 0.5),
        (("referred", "other_dept"), 3.0),
    ]
)
_REFERRED_DISPUTES: dict[str, frozenset[str]] = {
    "court_assigned": frozenset(
        {
            "contract",
            "damages",
            "labour",
            "road_traffic",
            "consumer",
            "property_management",
            "marriage_family",
            "housing_homestead",
            "business_operation",
            "medical",
        }
    ),
    "court_entrusted": frozenset(
        {"contract", "damages", "labour", "road_traffic", "property_management"}
    ),
    "police": frozenset({"damages", "road_traffic", "neighbourhood", "marriage_family", "other"}),
    "petition": frozenset(
        {
            "land_expropriation",
            "forest_land",
            "labour",
            "environmental_pollution",
            "housing_homestead",
            "property_management",
        }
    ),
    "procuratorate": frozenset({"damages", "labour", "marriage_family"}),
    "other_dept": frozenset(
        {
            "consumer",
            "labour",
            "environmental_pollution",
            "medical",
            "property_management",
            "business_operation",
        }
    ),
}
_REFERRAL_DOC = {
    "court_assigned": "（{y}）" + COURT_CODE + "民诉前调{n}号",
    "court_entrusted": "（{y}）" + COURT_CODE + "民初{n}号",
    "police": "津公东（城关）移调〔{y}〕{n}号",
    "petition": "东信转〔{y}〕{n}号",
    "procuratorate": "津东检民移〔{y}〕{n}号",
    "other_dept": "城关街综治移〔{y}〕{n}号",
}

_MEDIATORS = ("王淑芬", "刘建国", "张卫东", "陈秀英", "赵志刚", "孙丽华", "周德明", "吴桂兰")

# -------------------------------------------------------------- understanders and advisers

_REMOVAL_REASONS = (
    "迁居外地，无法继续履行职责",
    "本人因身体原因申请退出",
    "长期外出务工，连续两年未参加培训",
    "年度考核不合格",
    "违反村规民约，经村民代表会议讨论不再适合担任",
)
_TRAINING_TOPICS = (
    "《民法典》婚姻家庭编解读",
    "人民调解法与矛盾纠纷排查化解",
    "宅基地和农村土地承包法律知识",
    "《反家庭暴力法》与妇女儿童权益保护",
    "防范电信网络诈骗",
    "《保障农民工工资支付条例》解读",
    "道路交通安全与事故处理",
    "《法律援助法》与法律服务指引",
    "《信访工作条例》解读",
    "《个人信息保护法》基础知识",
    "《未成年人保护法》解读",
    "《乡村振兴促进法》解读",
    "农村集体经济组织成员权益",
    "赡养与继承纠纷的预防",
    "《安全生产法》与农村安全生产",
    "村规民约的制定与法律审查",
    "邻里纠纷调解技巧",
    "禁毒与反邪教知识",
)
_TRAINERS = (
    "区司法局 郭建军",
    "区司法局 马丽",
    "天津津东律师事务所 胡志刚",
    "天津河海律师事务所 林静",
    "城关街司法所 李明",
    "区人民法院 韩冰",
    "区法学会 宋立新",
)
_PRIORITY_GROUPS = _Weighted(
    [
        ("village_cadre", 25.0),
        ("women_children_director", 10.0),
        ("mediator", 15.0),
        ("grid_worker", 15.0),
        ("group_leader", 15.0),
        ("party_member", 12.0),
        ("five_elders", 6.0),
        ("other", 2.0),
    ]
)
_NOMINATION = _Weighted(
    [("committee", 55.0), ("party_branch", 25.0), ("self", 18.0), ("other", 2.0)]
)
_ASSESSMENT = _Weighted([("优秀", 20.0), ("合格", 70.0), ("基本合格", 8.0), ("不合格", 2.0)])

_ADVISERS = (
    ("胡志刚", "天津津东律师事务所"),
    ("林静", "天津河海律师事务所"),
    ("周海涛", "天津正达律师事务所"),
    ("马晓燕", "天津津东律师事务所"),
    ("唐文斌", "天津德衡律师事务所"),
    ("高雅琴", "天津河海律师事务所"),
)
_VISIT_CONTENT = (
    (
        "consultation",
        "村民",
        "驻村值班，接待村民法律咨询{n}人次，涉及{topic}等问题",
        "当场解答{n}件，引导{k}件通过法律援助途径解决",
    ),
    (
        "governance",
        "村两委班子",
        "列席村两委会议，对{topic}相关事项提出法律意见",
        "村两委采纳了法律意见",
    ),
    (
        "service_guidance",
        "村民",
        "走访困难群众，告知法律援助和公证办理流程，解答{topic}问题",
        "为{k}户村民提供法律服务指引",
    ),
    ("dispute_resolution", "纠纷当事人", "参与化解{topic}纠纷{k}件", "化解成功{k}件"),
)
_VISIT_TOPICS = (
    "赡养",
    "宅基地",
    "土地承包",
    "借贷",
    "劳务费",
    "婚姻家庭",
    "继承",
    "合同审查",
    "村规民约修订",
)
_LECTURE_TOPICS = (
    "《民法典》进农村",
    "防范养老诈骗",
    "农民工工资权益保护",
    "反家庭暴力法",
    "未成年人保护",
    "宅基地管理政策",
    "防范电信网络诈骗",
    "法律援助知识",
)

# --------------------------------------------------------------------------- consultations

_CONSULT_Q = {
    "marriage_family": (
        (
            "离婚后孩子抚养费一般怎么确定？对方不给怎么办？",
            "抚养费一般按对方月收入的百分之二十至三十确定，拒不支付可向法院起诉，已告知起诉所需材料。",
        ),
        (
            "子女不赡养老人，老人可以怎么办？",
            "成年子女有赡养义务，可申请人民调解，也可向人民法院起诉要求给付赡养费。",
        ),
    ),
    "inheritance": (
        (
            "父母去世没有遗嘱，房子怎么继承？",
            "无遗嘱时按法定继承，第一顺序继承人为配偶、子女、父母，原则上均等分配。",
        ),
        (
            "自书遗嘱需要满足什么条件？",
            "自书遗嘱须由遗嘱人亲笔书写、签名并注明年月日，已解释相关要求。",
        ),
    ),
    "labour": (
        (
            "在工地干活老板不给工资怎么办？",
            "可向劳动保障监察部门投诉，也可申请劳动仲裁，农民工可申请法律援助。",
        ),
        (
            "单位辞退我没有补偿合法吗？",
            "违法解除劳动合同的应支付赔偿金，已告知申请劳动仲裁的时效和材料。",
        ),
    ),
    "contract": (
        (
            "借给朋友钱只有微信转账记录，能要回来吗？",
            "转账记录结合聊天记录可以证明借贷关系，建议补签借条，必要时起诉。",
        ),
        ("买的房子开发商延期交房怎么办？", "可按合同约定主张违约金，已建议收集合同及催告记录。"),
    ),
    "housing_homestead": (
        (
            "宅基地可以卖给外村人吗？",
            "宅基地使用权不得向本集体经济组织以外的人转让，已解释相关政策。",
        ),
        (
            "邻居盖房占了我家的地怎么办？",
            "可先由村（居）委会协调或申请人民调解，也可向人民法院起诉排除妨害。",
        ),
    ),
    "land_contracting": (
        ("承包地被村里收回合法吗？", "承包期内发包方不得违法收回承包地，可申请调解或仲裁。"),
        ("土地流转合同到期对方不还地怎么办？", "合同到期应返还土地，可申请农村土地承包仲裁。"),
    ),
    "tort": (
        ("被邻居家的狗咬伤了，医药费谁出？", "饲养人应承担侵权责任，可协商或申请人民调解。"),
        (
            "楼上漏水把我家泡了，怎么要求赔偿？",
            "可要求楼上住户维修并赔偿损失，已建议保留照片和维修报价。",
        ),
    ),
    "traffic_accident": (
        (
            "交通事故对方保险公司赔偿标准是什么？",
            "已解释交强险和商业险的赔偿范围及人身损害赔偿项目。",
        ),
    ),
    "lending": (
        (
            "借钱不还超过三年了还能起诉吗？",
            "诉讼时效一般为三年，期间有催要的可中断时效，已建议收集催要证据。",
        ),
    ),
    "consumer": (
        (
            "网上买的东西和描述不符，商家不退货怎么办？",
            "可向电商平台投诉，也可向市场监管部门投诉或申请调解。",
        ),
    ),
    "administrative": (
        ("对行政处罚不服怎么办？", "可在法定期限内申请行政复议或提起行政诉讼，已告知期限。"),
    ),
    "criminal": (("家人被骗了钱怎么报案？", "应及时向公安机关报案，保留转账记录等证据。"),),
    "other": (
        ("怎么申请法律援助？", "已告知法律援助的申请条件、所需材料和受理机构。"),
        ("签劳务合同需要注意什么？", "已解释合同主体、工作内容、报酬和违约责任等条款。"),
    ),
}
_CONSULT_REFERRALS = _Weighted(
    [("none", 80.0), ("legal_aid", 7.0), ("litigation", 9.0), ("other_dept", 4.0)]
)
_CONSULT_MODES = _Weighted([("on_site", 60.0), ("remote", 30.0), ("appointment", 10.0)])
_CONSULT_ANSWERERS = ("李明", "胡志刚", "林静", "周海涛", "马晓燕", "王淑芬")

# ---------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class CommitteeRef:
    """A committee cases are registered with; ``weight`` is its share of the cases."""

    id: str
    name: str
    number_prefix: str
    weight: float = 1.0


@dataclass(frozen=True)
class StaffRef:
    """A mediator; ``user_id`` when the person is a user of the program."""

    name: str
    user_id: str | None = None


@dataclass(frozen=True)
class CaseChunk:
    """Blocks ``first_block`` … ``last_block - 1`` of the cases, and the last case number
    used before them per (committee id, year): see :meth:`DemoGenerator.case_chunks`."""

    first_block: int
    last_block: int
    counters: tuple[tuple[tuple[str, int], int], ...]


@dataclass
class DemoBatch:
    """Rows for one transaction, keyed by table name, each row keyed by column name."""

    case_count: int
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, row: Row) -> None:
        self.rows[table].append(row)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


@dataclass(frozen=True)
class _Village:
    town: str
    name: str
    groups: tuple[str, ...]  # short group names: 一组, 二组 … (empty for communities)
    community: bool
    surname: str | None  # 王家庄村 → 王: the village's common surname
    prefix: str  # the start of an address there: 天津市河东区柳河镇王家庄村

    @property
    def office(self) -> str:
        return "居委会" if self.community else "村委会"


@dataclass
class _Day:
    """A calendar day with its printed forms, cached per ordinal."""

    day: date
    iso: str
    text: str  # 2024年3月5日
    month_text: str  # 2024年3月


class _Ids:
    """Ids that sort in creation order (uuid-hex sized), so bulk inserts append to indexes."""

    __slots__ = ("_n", "_prefix")

    def __init__(self, salt: str, stream: int) -> None:
        self._prefix = salt
        self._n = stream

    def __call__(self) -> str:
        self._n += 1
        return f"{self._prefix}{self._n:016x}"


# ---------------------------------------------------------------------------- the generator


class DemoGenerator:
    """Everything about one demo office, given the seed, the reference day and its committees."""

    def __init__(
        self,
        *,
        cases: int,
        seed: int,
        today: date,
        tables: Mapping[str, CodeTable],
        committees: Sequence[CommitteeRef],
        staff: Sequence[StaffRef] = (),
        seq_base: Mapping[tuple[str, int], int] | None = None,
        id_salt: str | None = None,
    ) -> None:
        if cases < 0:
            raise ValueError("cases must not be negative")
        if not committees:
            raise ValueError("at least one committee is needed")
        self.cases = cases
        self.seed = seed
        self.today = today
        self.tables = tables
        self.committees = tuple(committees)
        self._committee_pick = _Weighted([(c, c.weight) for c in self.committees])
        self.seq_base = dict(seq_base or {})
        self.id_salt = id_salt or hashlib.sha256(f"demo:{seed}".encode()).hexdigest()[:16]
        if len(self.id_salt) != 16:
            raise ValueError("id_salt must be 16 characters")
        known = {s.name for s in staff}
        self.staff = tuple(staff) + tuple(StaffRef(n) for n in _MEDIATORS if n not in known)
        self.span = span_days(cases)
        self.first_day = today.toordinal() - self.span + 1
        self.villages = self._villages()
        self.clerk = self.staff[0].name
        self._days: dict[int, _Day] = {}
        self._consult_rate = min(CONSULTATION_RATE, CONSULTATION_CAP / cases) if cases else 0.0
        self._validate_codes()

    # -- plan -----------------------------------------------------------------------------
    def registration_years(self) -> list[int]:
        """Years in which cases will be registered (the loader needs their number bases)."""
        if not self.cases:
            return []
        first = self._registration_ordinal(0)
        return list(range(date.fromordinal(first).year, self.today.year + 1))

    def _registration_ordinal(self, i: int) -> int:
        """Registration day of case ``i``: spread evenly over the span, weekends moved to Monday
        (unless that is after today). Never decreases with ``i``."""
        ordinal = self.first_day + (i * self.span) // max(self.cases, 1)
        weekday = date.fromordinal(ordinal).weekday()
        if weekday >= 5:
            monday = ordinal + 7 - weekday
            if monday <= self.today.toordinal():
                return monday
        return ordinal

    def _day(self, ordinal: int) -> _Day:
        found = self._days.get(ordinal)
        if found is None:
            d = date.fromordinal(ordinal)
            found = _Day(
                d, d.isoformat(), f"{d.year}年{d.month}月{d.day}日", f"{d.year}年{d.month}月"
            )
            self._days[ordinal] = found
        return found

    def _villages(self) -> tuple[_Village, ...]:
        regions = self.tables["regions"]
        out: list[_Village] = []
        for town in regions.top_level():
            for v in regions.children(town.code):
                groups = tuple(
                    g.label.replace("第", "").replace("村民小组", "组")
                    for g in regions.children(v.code)
                )
                surname = (
                    v.label[0]
                    if v.label[1:2] == "家"
                    else (v.label[1] if v.label[:1] == "大" else None)
                )
                prefix = f"天津市河东区{town.label}{v.label}"
                out.append(_Village(town.label, v.label, groups, not groups, surname, prefix))
        if not out:
            out.append(
                _Village("城关街道", "和平里社区", (), True, None, "天津市河东区城关街道和平里社区")
            )
        return tuple(out)

    def _validate_codes(self) -> None:
        """Every code used here must exist in the code tables the store uses."""
        checks: list[tuple[str, str]] = [("ethnicities", c) for c in ("01", "03", "11", "02", "10")]
        for s in _S:
            checks.append(("dispute_types", s.sub or s.dispute))
            checks.append(("consultation_categories", s.consult))
        for source, sub in _SOURCES._items:
            checks.append(("case_sources", sub or source))
        checks += [("failure_routes", r) for routes in _FAILURE_ROUTES.values() for r in routes]
        checks += [
            ("failure_routes", "litigation"),
            ("retention_periods", "years_10"),
            ("retention_periods", "years_30"),
            ("retention_periods", "permanent"),
        ]
        checks += [("understander_priority_groups", c) for c in _PRIORITY_GROUPS._items]
        checks += [("nomination_routes", c) for c in _NOMINATION._items]
        checks += [("consultation_referrals", c) for c in (*_CONSULT_REFERRALS._items, "mediation")]
        checks += [("consultation_modes", c) for c in _CONSULT_MODES._items]
        checks += [("consultation_categories", c) for c in _CONSULT_Q]
        checks += [("adviser_service_kinds", k) for k, *_ in _VISIT_CONTENT] + [
            ("adviser_service_kinds", "lecture")
        ]
        checks += [("risk_levels", c) for c in ("low", "medium", "high")]
        for table, code in checks:
            if not self.tables[table].has(code):
                raise ValueError(f"demo generator: code {code!r} missing from code table {table!r}")

    # -- people ---------------------------------------------------------------------------
    def _name(
        self, r: random.Random, male: bool, birth_year: int, surname: str | None = None
    ) -> str:
        rnd = r.random
        if surname is None:
            surname = _SURNAME_PICK.pick(r)
        x = rnd()
        if birth_year < 1972 and x < 0.35:
            pool: Sequence[str] = _CLASSIC_MALE if male else _CLASSIC_FEMALE
            return surname + pool[int(rnd() * len(pool))]
        if birth_year >= 1995 and x < 0.3:
            pool = _MODERN_MALE if male else _MODERN_FEMALE
            return surname + pool[int(rnd() * len(pool))]
        chars = _MALE_CHARS if male else _FEMALE_CHARS
        n = len(chars)
        if rnd() < 0.3:
            return surname + chars[int(rnd() * n)]
        return surname + chars[int(rnd() * n)] + chars[int(rnd() * n)]

    @staticmethod
    def _phone(r: random.Random) -> str:
        return f"{_one(r, _MOBILE_PREFIXES)}{int(r.random() * 100_000_000):08d}"

    def _person(
        self,
        r: random.Random,
        v: _Village,
        *,
        side: str,
        migrant: bool = False,
        surname: str | None = None,
        age: tuple[int, int] = (22, 78),
        with_id: float = 0.95,
    ) -> Row:
        rnd = r.random
        male = rnd() < 0.56
        year = self.today.year - age[0] - int(rnd() * (age[1] - age[0] + 1))
        birth = date.fromordinal(_jan1(year) + int(rnd() * 365))
        if surname is None and v.surname is not None and rnd() < 0.3:
            surname = v.surname
        name = self._name(r, male, year, surname)
        iso = birth.isoformat()
        if rnd() < with_id:
            region = _one(r, _MIGRANT_REGIONS) if migrant else _ID_REGIONS.pick(r)
            ymd = f"{iso[:4]}{iso[5:7]}{iso[8:]}"
            order = f"{int(rnd() * 500) * 2 + male:03d}"
            id_number: str | None = f"{region}{ymd}{order}{_id_check_char(region, ymd, order)}"
            id_type: str | None = "resident_id"
            birth_date: str | None = iso
        else:
            id_number = id_type = birth_date = None
        pool: Sequence[str]
        if migrant:
            pool = _OCCUPATIONS_WORKER
        elif self.today.year - year >= 63:
            pool = _OCCUPATION_OLD
        else:
            pool = _OCCUPATIONS_URBAN if v.community else _OCCUPATIONS_RURAL
        if v.community:
            address = (
                f"{v.prefix}{1 + int(rnd() * 32)}号楼{1 + int(rnd() * 6)}门"
                f"{1 + int(rnd() * 18)}0{1 + int(rnd() * 4)}"
            )
        else:
            address = f"{v.prefix}{v.groups[int(rnd() * len(v.groups))]}{1 + int(rnd() * 120)}号"
        return {
            "side": side,
            "kind": "person",
            "name": name,
            "gender": "男" if male else "女",
            "ethnicity": _ETHNICITIES.pick(r),
            "birth_date": birth_date,
            "id_type": id_type,
            "id_number": id_number,
            "occupation": pool[int(rnd() * len(pool))],
            "phone": f"{_MOBILE_PREFIXES[int(rnd() * _N_MOBILE)]}{int(rnd() * 100_000_000):08d}"
            if rnd() < 0.92
            else "",
            "address": address,
            "credit_code": None,
            "representative": "",
            "agent": "",
        }

    def _org(self, r: random.Random, kind: str, side: str) -> Row:
        word = _one(r, _ORG_WORDS)
        if kind == "clinic":
            name = f"天津市河东区{word}门诊部有限公司"
        else:
            name = f"天津{word}{_ORG_SUFFIX.get(kind, '商贸有限公司')}"
        body = "".join(_one(r, "0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        first17 = f"91{OFFICE_ID_PREFIX}{body}{organization_code_check_char(body)}"
        rep_male = r.random() < 0.7
        rep = self._name(r, rep_male, self.today.year - _between(r, 30, 60))
        return {
            "side": side,
            "kind": "org",
            "name": name,
            "gender": None,
            "ethnicity": None,
            "birth_date": None,
            "id_type": None,
            "id_number": None,
            "occupation": "",
            "phone": f"022-{_between(r, 2, 8)}{int(r.random() * 10_000_000):07d}",
            "address": f"天津市河东区{_one(r, _STREETS)}{_between(r, 1, 300)}号",
            "credit_code": first17 + credit_code_check_char(first17),
            "representative": rep,
            "agent": "",
        }

    # -- office records ---------------------------------------------------------------------
    def office_batch(self) -> DemoBatch:
        """Understanders, trainings and attendance, assessments, advisers' work log."""
        r = random.Random(self.seed * 7919 + 17)
        ids = _Ids(self.id_salt, 0)
        batch = DemoBatch(case_count=0)
        start = date.fromordinal(self.first_day)
        today = self.today
        people: list[tuple[str, date, date | None, float]] = []  # id, appointed, removed, keenness
        for vi, v in enumerate(self.villages):
            for k in range(_between(r, 4, 6)):
                appointed = (
                    start
                    if k < 3
                    else date.fromordinal(
                        start.toordinal() + int(r.random() * max(1, self.span - 30))
                    )
                )
                appointed = min(appointed, today)
                p = self._person(r, v, side="applicant", age=(28, 66), with_id=0.8)
                removed: date | None = None
                reason = ""
                if r.random() < 0.08 and (today - appointed).days > 200:
                    removed = date.fromordinal(
                        appointed.toordinal()
                        + 180
                        + int(r.random() * ((today - appointed).days - 180))
                    )
                    reason = _one(r, _REMOVAL_REASONS)
                uid = ids()
                filed = min(today, appointed + timedelta(days=_between(r, 10, 40)))
                group = _one(r, v.groups) if v.groups else ""
                batch.add(
                    "understanders",
                    {
                        "id": uid,
                        "created_at": f"{appointed.isoformat()}T10:00:00",
                        "updated_at": f"{(removed or filed).isoformat()}T10:00:00",
                        "name": p["name"],
                        "gender": p["gender"],
                        "ethnicity": p["ethnicity"],
                        "birth_date": p["birth_date"],
                        "id_number": p["id_number"],
                        "phone": p["phone"] or self._phone(r),
                        "village": v.name,
                        "villager_group": (group[:-1] + "村民小组") if group else "",
                        "priority_group": _PRIORITY_GROUPS.pick(r),
                        "nomination_route": _NOMINATION.pick(r),
                        "assessment_result": "合格",
                        "certificate_no": f"河东法明{appointed.year}-{vi + 1:02d}{k + 1:02d}",
                        "status": "removed" if removed else "active",
                        "appointed_on": appointed.isoformat(),
                        "removed_on": removed.isoformat() if removed else None,
                        "removal_reason": reason,
                        "filed_on": filed.isoformat(),
                    },
                )
                people.append((uid, appointed, removed, 0.3 + r.random() * 0.65))
                for year in range(appointed.year, today.year):
                    if removed is not None and year >= removed.year:
                        break
                    result = _ASSESSMENT.pick(r)
                    if result == "不合格":
                        result = "基本合格"  # only the people removed for it failed
                    if (
                        reason == "年度考核不合格"
                        and removed is not None
                        and year == removed.year - 1
                    ):
                        result = "不合格"
                    batch.add(
                        "assessments",
                        {
                            "id": ids(),
                            "created_at": f"{year + 1}-01-15T10:00:00",
                            "updated_at": f"{year + 1}-01-15T10:00:00",
                            "understander_id": uid,
                            "year": year,
                            "result": result,
                            "notes": ""
                            if result in ("合格", "优秀")
                            else "培训参加次数偏少，需加强学习",
                        },
                    )
        # Trainings: about one a month, attendance by each person's keenness.
        ordinal = self.first_day + _between(r, 5, 25)
        while ordinal <= today.toordinal():
            held = date.fromordinal(ordinal)
            online = r.random() < 0.35
            tid = ids()
            batch.add(
                "trainings",
                {
                    "id": tid,
                    "created_at": f"{held.isoformat()}T16:00:00",
                    "updated_at": f"{held.isoformat()}T16:00:00",
                    "held_on": held.isoformat(),
                    "topic": _one(r, _TRAINING_TOPICS),
                    "trainer": _one(r, _TRAINERS),
                    "mode": "online" if online else "offline",
                    "hours": _one(r, (1.5, 2.0, 2.0, 2.5, 3.0, 4.0)),
                    "place": "天津市法律明白人网络培训平台"
                    if online
                    else _one(
                        r,
                        (
                            "城关街司法所会议室",
                            "柳河镇政府会议室",
                            "城关街道党群服务中心",
                            "区司法局培训室",
                        ),
                    ),
                },
            )
            for uid, appointed, removed, keenness in people:
                if (
                    appointed <= held
                    and (removed is None or held < removed)
                    and r.random() < keenness
                ):
                    batch.add(
                        "training_attendance",
                        {
                            "id": ids(),
                            "created_at": f"{held.isoformat()}T16:00:00",
                            "updated_at": f"{held.isoformat()}T16:00:00",
                            "training_id": tid,
                            "understander_id": uid,
                            "attended": 1,
                        },
                    )
            ordinal += _between(r, 24, 38)
        self._adviser_logs(r, ids, batch)
        return batch

    def _adviser_logs(self, r: random.Random, ids: _Ids, batch: DemoBatch) -> None:
        today = self.today
        first = date.fromordinal(self.first_day)
        for vi, v in enumerate(self.villages):
            adviser = _ADVISERS[vi % len(_ADVISERS)][0]
            year, month = first.year, first.month
            while (year, month) <= (today.year, today.month):
                x = r.random()
                if x > 0.03:  # about 3% of months have no visit: a shortfall
                    hours = 4.0 if x > 0.08 else _one(r, (2.0, 2.5, 3.0))
                    day = _between(r, 3, 26)
                    when = date(year, month, day)
                    if when <= today:
                        kind, obj, content, result = _one(r, _VISIT_CONTENT)
                        slots = {
                            "n": _between(r, 2, 9),
                            "k": _between(r, 1, 3),
                            "topic": _one(r, _VISIT_TOPICS),
                        }
                        batch.add(
                            "adviser_logs",
                            {
                                "id": ids(),
                                "created_at": f"{when.isoformat()}T17:00:00",
                                "updated_at": f"{when.isoformat()}T17:00:00",
                                "adviser": adviser,
                                "village": v.name,
                                "started_at": f"{when.isoformat()}T09:00",
                                "hours": hours,
                                "on_site": 1,
                                "kind": kind,
                                "object": f"{v.name}{obj}",
                                "content": content.format(**slots),
                                "result": result.format(**slots),
                            },
                        )
                if month % 3 == 2 and r.random() > 0.05:  # one lecture a quarter, a few missed
                    when = date(year, month, _between(r, 3, 26))
                    if when <= today:
                        topic = _one(r, _LECTURE_TOPICS)
                        batch.add(
                            "adviser_logs",
                            {
                                "id": ids(),
                                "created_at": f"{when.isoformat()}T17:00:00",
                                "updated_at": f"{when.isoformat()}T17:00:00",
                                "adviser": adviser,
                                "village": v.name,
                                "started_at": f"{when.isoformat()}T14:30",
                                "hours": _one(r, (1.5, 2.0)),
                                "on_site": 1,
                                "kind": "lecture",
                                "object": f"{v.name}村（居）民",
                                "content": f"开展“{topic}”法治讲座，参加群众{_between(r, 20, 80)}人",
                                "result": "发放宣传资料，现场解答群众提问",
                            },
                        )
                month += 1
                if month > 12:
                    year, month = year + 1, 1

    # -- cases ----------------------------------------------------------------------------
    def case_batches(self, chunk_cases: int = 20_000) -> Iterator[DemoBatch]:
        """All cases, oldest first, in batches of about ``chunk_cases`` (whole blocks)."""
        for chunk in self.case_chunks(chunk_cases):
            yield self.chunk_batch(chunk)

    def case_chunks(self, chunk_cases: int = 20_000) -> list[CaseChunk]:
        """The batches of :meth:`case_batches`, each with the case numbers it starts from:
        :meth:`chunk_batch` makes any of them on its own (in any process, in any order).

        Cheap: the only state carried from block to block is the last sequence number per
        committee and year, and a block's committees come from a stream of their own."""
        blocks_per_chunk = max(1, chunk_cases // BLOCK_CASES)
        counters: dict[tuple[str, int], int] = dict(self.seq_base)
        n_blocks = (self.cases + BLOCK_CASES - 1) // BLOCK_CASES
        out: list[CaseChunk] = []
        for first_block in range(0, n_blocks, blocks_per_chunk):
            last = min(n_blocks, first_block + blocks_per_chunk)
            out.append(CaseChunk(first_block, last, tuple(sorted(counters.items()))))
            for block in range(first_block, last):
                self._count_block(block, counters)
        return out

    def chunk_batch(self, chunk: CaseChunk) -> DemoBatch:
        """The cases of ``chunk`` (see :meth:`case_chunks`)."""
        counters = dict(chunk.counters)
        batch = DemoBatch(case_count=0)
        for block in range(chunk.first_block, chunk.last_block):
            self._block(block, counters, batch)
        return batch

    def _block_range(self, block: int) -> range:
        start = block * BLOCK_CASES
        return range(start, min(self.cases, start + BLOCK_CASES))

    def _block_committees(self, block: int) -> list[CommitteeRef]:
        """The committee of each case of ``block``, from the block's own stream."""
        n = len(self._block_range(block))
        if len(self.committees) == 1:
            return [self.committees[0]] * n
        r = random.Random(f"committees:{self.seed}:{block}")
        pick = self._committee_pick.pick
        return [pick(r) for _ in range(n)]

    def _count_block(self, block: int, counters: dict[tuple[str, int], int]) -> None:
        """Advance ``counters`` past the cases of ``block`` without making them."""
        cases = self._block_range(block)
        if not cases:
            return
        committees = self._block_committees(block)
        first_year = self._day(self._registration_ordinal(cases[0])).day.year
        last_year = self._day(self._registration_ordinal(cases[-1])).day.year
        if first_year == last_year:  # the usual case: count per committee
            for committee in committees:
                key = (committee.id, first_year)
                counters[key] = counters.get(key, 0) + 1
            return
        for i, committee in zip(cases, committees, strict=True):
            key = (committee.id, self._day(self._registration_ordinal(i)).day.year)
            counters[key] = counters.get(key, 0) + 1

    def _block(self, block: int, counters: dict[tuple[str, int], int], batch: DemoBatch) -> None:
        r = random.Random(self.seed * 1_000_003 + block + 1)
        ids = _Ids(self.id_salt, (1 << 63) | (block << 24))
        for i, committee in zip(
            self._block_range(block), self._block_committees(block), strict=True
        ):
            self._case(r, ids, i, committee, counters, batch)
            batch.case_count += 1

    def _case(
        self,
        r: random.Random,
        ids: _Ids,
        i: int,
        committee: CommitteeRef,
        counters: dict[tuple[str, int], int],
        batch: DemoBatch,
    ) -> None:
        rnd = r.random
        today_ord = self.today.toordinal()
        reg_ord = self._registration_ordinal(i)
        reg = self._day(reg_ord)
        year = reg.day.year
        key = (committee.id, year)
        seq = counters.get(key, 0) + 1
        counters[key] = seq
        case_number = format_case_number(year, committee.number_prefix, seq)
        s = _SCENARIOS.pick(r)
        v = self._village_for(r, s)
        source, sub = _SOURCES.pick(r)
        if sub is not None and s.dispute not in _REFERRED_DISPUTES[sub]:
            source, sub = _SOURCES.pick(r)  # referring bodies send their own kinds of dispute
            if sub is not None and s.dispute not in _REFERRED_DISPUTES[sub]:
                source, sub = "applied", None
        procedure = None
        if sub == "court_entrusted":
            procedure = "summary" if rnd() < 0.4 else "ordinary"
        referral_doc = _REFERRAL_DOC[sub].format(y=year, n=(20 + int(rnd() * 2981))) if sub else ""
        due = mediation_due(reg.day, sub, procedure)
        case_id = ids()
        hour = 8 + int(rnd() * 9)
        minute = int(rnd() * 60)
        created = f"{reg.iso}T{hour:02d}:{minute:02d}:00"

        # parties ----------------------------------------------------------------------------
        n_app = 1 if rnd() < 0.85 else (2 + int(rnd() * 2))
        n_resp = 1 if rnd() < 0.9 else 2
        if s.dispute == "labour" and s.sub == "labour_unpaid_wages":
            n_app = 1 + int(rnd() * 4)
        parties: list[Row] = []
        org_side = None
        if s.org is not None and rnd() < s.org_share:
            org_side = "applicant" if s.org_applies else "respondent"
        family = s.dispute in ("marriage_family", "land_expropriation")
        for k in range(n_app):
            if org_side == "applicant" and k == 0:
                parties.append(self._org(r, s.org or "trade", "applicant"))
                n_app = 1
                break
            age = (
                (60, 88) if s.consult == "marriage_family" and "赡养" in s.summary[0] else (22, 78)
            )
            parties.append(
                self._person(r, v, side="applicant", migrant=s.migrant and rnd() < 0.7, age=age)
            )
        family_name = parties[0]["name"][0] if family and parties[0]["kind"] == "person" else None
        for k in range(n_resp):
            if org_side == "respondent" and k == 0:
                parties.append(self._org(r, s.org or "trade", "respondent"))
                n_resp = 1
                break
            rv = v if rnd() < 0.85 else self.villages[int(rnd() * len(self.villages))]
            surname = family_name if family_name and s.rel[0] not in ("夫妻", "原夫妻") else None
            parties.append(self._person(r, rv, side="respondent", surname=surname, with_id=0.9))
        if rnd() < 0.02:
            parties.append(self._person(r, v, side="third", with_id=0.9))
        applicants = [p["name"] for p in parties if p["side"] == "applicant"]
        respondents = [p["name"] for p in parties if p["side"] == "respondent"]

        # text slots -------------------------------------------------------------------------
        lo_hi = s.amount
        amount = 0
        if lo_hi is not None:
            amount = _between(r, lo_hi[0] // 100, lo_hi[1] // 100) * 100
        began = self._day(reg_ord - (20 + int(rnd() * 381)))
        slots = {
            "a": "、".join(applicants),
            "b": "、".join(respondents),
            "a1": applicants[0],
            "b1": respondents[0],
            "v": v.name,
            "g": v.groups[int(rnd() * len(v.groups))]
            if v.groups
            else f"{(1 + int(rnd() * 30))}号楼",
            "amt": _yuan(amount) if amount else "",
            "ym": began.month_text,
            "n": _cn_number(2 + int(rnd() * 5)),
            "n2": str(7 + int(rnd() * 24)),
            "m": f"{(2 + int(rnd() * 14)) / 10:g}",
            "rel": s.rel[int(rnd() * len(s.rel))],
            "item": s.items[int(rnd() * len(s.items))],
            "kid": _RELATIONS_KID[int(rnd() * len(_RELATIONS_KID))],
            "amt2": "",
            "deadline": "",
            "place": "",
            "med": "",
            "wh": v.office,
        }
        summary = s.summary[int(rnd() * len(s.summary))].format_map(slots)
        wanted = s.claims[: _between(r, 1, len(s.claims))]
        if not amount:
            wanted = tuple(c for c in wanted if "{amt}" not in c) or s.claims[:1]
        claims = [c.format_map(slots) for c in wanted]
        status_matter = (
            s.status_matter if s.status_matter and rnd() < s.status_matter_share else None
        )
        difficult = rnd() < 0.04
        risk = "high" if difficult else ("medium" if rnd() < 0.15 else "low")
        mediator_count = 1 if rnd() < 0.55 else 2
        lead = self.staff[0] if rnd() < 0.3 else self.staff[int(rnd() * len(self.staff))]
        mediators = [lead]
        if mediator_count == 2:
            other = self.staff[int(rnd() * len(self.staff))]
            if other.name != lead.name:
                mediators.append(other)
        slots["med"] = lead.name
        recorder = self.staff[int(rnd() * len(self.staff))].name

        # timeline ---------------------------------------------------------------------------
        eff_due = due
        extension: Row | None = None
        if rnd() < 0.03 and (due - reg.day).days > 5:
            rec_ord = reg_ord + _between(r, 3, (due - reg.day).days)
            new_due = add_days(due, _one(r, (15, 20, 30)))
            if rec_ord <= today_ord:
                eff_due = new_due
                rec = self._day(rec_ord)
                extension = {
                    "id": "",
                    "created_at": f"{rec.iso}T15:00:00",
                    "updated_at": f"{rec.iso}T15:00:00",
                    "case_id": case_id,
                    "recorded_on": rec.iso,
                    "new_due_on": new_due.isoformat(),
                    "applicant_consent": 1,
                    "respondent_consent": 1,
                    "consent_record": _CONSENT_RECORD.format(
                        on=rec.text,
                        why=_EXTENSION_WHY[int(rnd() * len(_EXTENSION_WHY))],
                        a1=applicants[0],
                        b1=respondents[0],
                        new_due=f"{new_due.year}年{new_due.month}月{new_due.day}日",
                    ),
                }
        window = (eff_due - reg.day).days
        if extension is not None:  # extended cases end after the extension was agreed
            rec_ord = _iso_ordinal(extension["recorded_on"])
            outcome_ord = rec_ord + 1 + int((eff_due.toordinal() - rec_ord) * rnd())
        else:
            outcome_ord = reg_ord + (0 if rnd() < 0.12 else int(window * rnd() ** 1.6))
        stalled = 0 < today_ord - reg_ord < 80 and today_ord > eff_due.toordinal() and rnd() < 0.03
        decided = outcome_ord <= today_ord and not stalled
        success = rnd() < s.success
        # sessions: up to three, the last on the day of the outcome
        last_activity = outcome_ord if decided else min(today_ord, eff_due.toordinal())
        n_sessions = 1 if outcome_ord == reg_ord else (1 + int(rnd() * 3))
        session_days = sorted(
            {last_activity}
            | {reg_ord + int(rnd() * (last_activity - reg_ord + 1)) for _ in range(n_sessions - 1)}
        )
        if not decided:
            # an open case: only the sessions already held; the first one comes up to a week
            # after registration, so the newest cases are still waiting for it
            first_session = reg_ord + int(rnd() * 8)
            session_days = [d for d in session_days if first_session <= d < today_ord]
            if session_days and rnd() < 0.3:
                session_days = session_days[:-1]
        investigation_day = None
        if rnd() < (0.7 if difficult else 0.3) and session_days and session_days[0] > reg_ord:
            investigation_day = reg_ord + int(rnd() * (session_days[0] - reg_ord))
        elif not decided and not session_days and reg_ord < today_ord and rnd() < 0.3:
            investigation_day = reg_ord + int(
                rnd() * (min(today_ord, eff_due.toordinal()) - reg_ord)
            )

        status = "registered"
        outcome = outcome_on = None
        failure_reason = ""
        failure_routes = "[]"
        amount_cents = 0
        closed_on = archived_on = None
        volume_no = ""
        retention = None
        last_event = created
        agreement: Row | None = None
        follow: Row | None = None
        confirmation: Row | None = None
        if session_days or investigation_day is not None:
            status = "mediating"
        if decided:
            out_day = self._day(outcome_ord)
            outcome_on = out_day.iso
            close_from: int | None = None
            if success:
                status, outcome = "succeeded", "success"
                written = rnd() < (0.75 if amount >= 5000 else 0.5)
                agreed = amount
                if amount:
                    agreed = max(100, int(amount * (0.55 + rnd() * 0.45)) // 100 * 100)
                amount_cents = agreed * 100
                perf_deadline = self._day(outcome_ord + _one(r, (0, 7, 15, 30, 30, 60, 90)))
                slots["amt2"] = _yuan(agreed) if agreed else "相应款项"
                slots["deadline"] = perf_deadline.text
                place = _one(r, ("本委员会", f"{v.name}{v.office}", "双方住所地"))
                slots["place"] = place
                terms = [t.format_map(slots) for t in s.terms]
                agreement_id = ids()
                on_the_spot = not written and rnd() < 0.5
                if on_the_spot:
                    perf_deadline = out_day
                stamp = f"{out_day.iso}T{(9 + int(rnd() * 8)):02d}:30:00"
                agreement = {
                    "id": agreement_id,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "case_id": case_id,
                    "form": "written" if written else "oral",
                    "agreement_no": case_number.replace("人调字", "人调协字"),
                    "facts": s.facts.format_map(slots) if written else summary[:120],
                    "terms": _json_strings(terms) if written else "[]",
                    "oral_content": ""
                    if written
                    else s.oral[int(rnd() * len(s.oral))].format_map(slots),
                    "performance_manner": (
                        s.manners[int(rnd() * len(s.manners))] if agreed else "按协议约定自行履行"
                    )
                    if written
                    else ("当场履行" if on_the_spot else ""),
                    "performance_place": place if written else "",
                    "performance_deadline": perf_deadline.iso
                    if written or not on_the_spot
                    else None,
                    "amount_cents": amount_cents,
                    "effective_on": out_day.iso,
                    "copies": len(parties) + 1,
                    "performance": None,
                }
                fu_due = follow_up_due(
                    out_day.day,
                    date.fromisoformat(agreement["performance_deadline"])
                    if agreement["performance_deadline"]
                    else None,
                )
                done_ord = max(outcome_ord, fu_due.toordinal() + _between(r, -7, 10))
                follow = {
                    "id": ids(),
                    "created_at": stamp,
                    "updated_at": stamp,
                    "case_id": case_id,
                    "due_on": fu_due.isoformat(),
                    "done_on": None,
                    "visitor": "",
                    "reason": "回访协议履行情况",
                    "performance": None,
                    "satisfaction": "",
                    "lawsuit": 0,
                    "escalation_risk": "",
                    "measures": "",
                    "notes": "",
                }
                if done_ord <= today_ord:
                    done = self._day(done_ord)
                    x = rnd()
                    perf = "performed" if x < 0.86 else ("partial" if x < 0.96 else "unperformed")
                    follow.update(
                        done_on=done.iso,
                        visitor=self.staff[int(rnd() * len(self.staff))].name,
                        performance=perf,
                        satisfaction="满意"
                        if perf == "performed"
                        else ("基本满意" if perf == "partial" else "不满意"),
                        lawsuit=1 if perf == "unperformed" and rnd() < 0.3 else 0,
                        escalation_risk="无" if perf != "unperformed" else "存在矛盾反复风险",
                        measures=_FOLLOW_MEASURES[perf],
                        notes=_FOLLOW_NOTES[perf].format_map(slots),
                        updated_at=f"{done.iso}T15:00:00",
                    )
                    agreement["performance"] = perf
                    agreement["updated_at"] = f"{done.iso}T15:00:00"
                    close_from = done_ord
                    last_event = f"{done.iso}T15:00:00"
                # 司法确认: written agreements only, never for status matters, within 30 days
                if written and status_matter is None and rnd() < 0.14:
                    last_day = judicial_confirmation_last_day(out_day.day).toordinal()
                    applied_ord = outcome_ord + _between(r, 1, last_day - outcome_ord)
                    if applied_ord <= today_ord:
                        applied = self._day(applied_ord)
                        confirmation = {
                            "id": ids(),
                            "created_at": f"{applied.iso}T10:00:00",
                            "updated_at": f"{applied.iso}T10:00:00",
                            "case_id": case_id,
                            "applied_on": applied.iso,
                            "court": COURT,
                            "result": "applied",
                            "decision_no": "",
                            "decided_on": None,
                        }
                        decided_ord = applied_ord + (3 + int(rnd() * 13))
                        if decided_ord <= today_ord:
                            dd = self._day(decided_ord)
                            ok = rnd() < 0.95
                            number = 10 + int(rnd() * 891)
                            confirmation.update(
                                result="confirmed" if ok else "rejected",
                                decision_no=f"（{dd.day.year}）{COURT_CODE}民特调确字第{number}号"
                                if ok
                                else f"（{dd.day.year}）{COURT_CODE}民特{number}号",
                                decided_on=dd.iso,
                                updated_at=f"{dd.iso}T10:00:00",
                            )
                            if close_from is not None:
                                close_from = max(close_from, decided_ord)
                        else:
                            close_from = None  # wait for the court before closing the file
            else:
                status, outcome = "failed", "failure"
                failure_reason = s.failure[int(rnd() * len(s.failure))].format_map(slots)
                routes = ["litigation"]
                extra = _FAILURE_ROUTES.get(s.dispute)
                if extra:
                    routes = [extra[0]] + (["litigation"] if extra[0] != "litigation" else [])
                failure_routes = _json_strings(routes)
                close_from = outcome_ord + int(rnd() * 35)  # the file waits for the paperwork
                last_event = f"{out_day.iso}T16:00:00"
            if close_from is not None:
                closed_ord = close_from + int(rnd() * 11)
                if closed_ord <= today_ord:
                    closed = self._day(closed_ord)
                    status, closed_on = "closed", closed.iso
                    last_event = f"{closed.iso}T16:30:00"
                    archived_ord = closed_ord + (3 + int(rnd() * 38))
                    if archived_ord <= today_ord:
                        archived = self._day(archived_ord)
                        status, archived_on = "archived", archived.iso
                        volume_no = case_number
                        retention = (
                            "permanent"
                            if difficult
                            else (
                                "years_30"
                                if amount >= 50000 or status_matter or rnd() < 0.1
                                else "years_10"
                            )
                        )
                        last_event = f"{archived.iso}T11:00:00"

        # rows -------------------------------------------------------------------------------
        batch.add(
            "cases",
            {
                "id": case_id,
                "created_at": created,
                "updated_at": last_event,
                "committee_id": committee.id,
                "year": year,
                "seq": seq,
                "case_number": case_number,
                "status": status,
                "registered_on": reg.iso,
                "source": source,
                "source_sub": sub,
                "referral_doc_no": referral_doc,
                "court_procedure": procedure,
                "dispute_type": s.dispute,
                "dispute_subtype": s.sub,
                "status_matter": status_matter,
                "summary": summary,
                "claims": _json_strings(claims),
                "risk_level": risk,
                "village": v.name,
                "applicants": "、".join(applicants),
                "respondents": "、".join(respondents),
                "party_count": len(parties),
                "mediation_due_on": due.isoformat(),
                "extended_due_on": eff_due.isoformat() if extension else None,
                "outcome": outcome,
                "outcome_on": outcome_on,
                "failure_reason": failure_reason,
                "failure_routes": failure_routes,
                "amount_cents": amount_cents,
                "difficult": int(difficult),
                "private_hearing": int(rnd() < s.private),
                "closed_on": closed_on,
                "closing_note": _DIFFICULT_NOTE if difficult and closed_on else "",
                "volume_no": volume_no,
                "retention_period": retention,
                "archived_on": archived_on,
                "archived_by": self.clerk if archived_on else "",
                "from_screening": int(source == "proactive" and rnd() < 0.4),
            },
        )
        for pos, p in enumerate(parties):
            p.update(
                id=ids(), created_at=created, updated_at=created, case_id=case_id, position=pos
            )
            batch.add("parties", p)
        for k, m in enumerate(mediators):
            batch.add(
                "case_mediators",
                {
                    "id": ids(),
                    "created_at": created,
                    "updated_at": created,
                    "case_id": case_id,
                    "name": m.name,
                    "user_id": m.user_id,
                    "lead": int(k == 0),
                },
            )
        if extension is not None:
            extension["id"] = ids()
            batch.add("extensions", extension)
        mediator_names = "、".join(m.name for m in mediators)
        if investigation_day is not None:
            inv = self._day(investigation_day)
            qa = [{"q": q.format_map(slots), "a": a.format_map(slots)} for q, a in s.qa]
            stamp = f"{inv.iso}T{(9 + int(rnd() * 7)):02d}:00"
            batch.add(
                "investigations",
                {
                    "id": ids(),
                    "created_at": f"{stamp}:00",
                    "updated_at": f"{stamp}:00",
                    "case_id": case_id,
                    "held_at": stamp,
                    "place": _one(
                        r, (f"{v.name}{v.office}", f"{applicants[0]}家中", "本委员会调解室")
                    ),
                    "subject": applicants[0],
                    "participants": "",
                    "investigator": lead.name,
                    "recorder": recorder,
                    "qa": _JSON(qa),
                },
            )
        if session_days:
            claim_text = claims[0]
            defense = s.defense[int(rnd() * len(s.defense))].format_map(slots)
            middle = _SESSION_MIDDLE.format(
                a1=applicants[0],
                b1=respondents[0],
                claim=claim_text,
                defense=defense,
                evidence=s.evidence.format_map(slots),
                law=s.law,
            )
            opening = _SESSION_OPENING.format(med=lead.name) + middle
            again = _SESSION_AGAIN.format(med=lead.name)
            for k, day in enumerate(session_days):
                d = self._day(day)
                final = decided and k == len(session_days) - 1
                if final and success:
                    close, result = _SESSION_CLOSE_OK, "达成调解协议"
                elif final:
                    close, result = _SESSION_CLOSE_FAIL.format(failure=failure_reason), "调解不成"
                else:
                    close, result = (
                        _SESSION_CLOSE_AGAIN.format(n=(3 + int(rnd() * 5))),
                        _SESSION_RESULTS_AGAIN[int(rnd() * len(_SESSION_RESULTS_AGAIN))],
                    )
                stamp = f"{d.iso}T{(9 + int(rnd() * 7)):02d}:{_one(r, ('00', '30'))}"
                batch.add(
                    "sessions",
                    {
                        "id": ids(),
                        "created_at": f"{stamp}:00",
                        "updated_at": f"{stamp}:00",
                        "case_id": case_id,
                        "held_at": stamp,
                        "place": _SESSION_PLACES[int(rnd() * len(_SESSION_PLACES))].format(
                            v=v.name, wh=v.office
                        ),
                        "participants": f"{v.name}{v.office}委员{self._name(r, rnd() < 0.6, 1970)}"
                        if rnd() < 0.3
                        else "",
                        "mediators": mediator_names,
                        "recorder": recorder,
                        "record": (again if k else opening) + close,
                        "result": result,
                    },
                )
        if agreement is not None:
            batch.add("agreements", agreement)
        if follow is not None:
            batch.add("follow_ups", follow)
        if confirmation is not None:
            batch.add("judicial_confirmations", confirmation)
        if rnd() < self._consult_rate:
            self._consultation(r, ids, batch, reg_ord, case_id, source, parties, v, s, slots)

    def _village_for(self, r: random.Random, s: _Scenario) -> _Village:
        communities = [v for v in self.villages if v.community]
        rural = [v for v in self.villages if not v.community]
        if s.urban and communities and r.random() < 0.85:
            return _one(r, communities)
        if not s.urban and rural and r.random() < 0.75:
            return _one(r, rural)
        return _one(r, self.villages)

    def _consultation(
        self,
        r: random.Random,
        ids: _Ids,
        batch: DemoBatch,
        reg_ord: int,
        case_id: str,
        source: str,
        parties: list[Row],
        v: _Village,
        s: _Scenario,
        slots: Mapping[str, str],
    ) -> None:
        applicant = parties[0]
        referred = source == "applied" and applicant["kind"] == "person" and r.random() < 0.3
        anonymous = not referred and r.random() < 0.12
        if referred:
            on = self._day(reg_ord)
            category = s.consult
            question = f"{s.summary[0].format_map(slots)[:60]}……请问应当如何解决？"
            answer = "已解释相关法律规定，当事人同意申请人民调解，当场转本委员会受理。"
            person = applicant
        else:
            on = self._day(max(self.first_day, reg_ord - _between(r, 0, 20)))
            category = _one(r, tuple(_CONSULT_Q))
            question, answer = _one(r, _CONSULT_Q[category])
            person = self._person(r, v, side="applicant", with_id=0.0)
        birth = person.get("birth_date")
        age = None
        if birth:
            b = date.fromisoformat(birth)
            age = on.day.year - b.year - ((on.day.month, on.day.day) < (b.month, b.day))
        elif person["kind"] == "person" and not anonymous:
            age = _between(r, 25, 75)
        stamp = f"{on.iso}T{_between(r, 8, 16):02d}:{_between(r, 0, 59):02d}:00"
        batch.add(
            "consultations",
            {
                "id": ids(),
                "created_at": stamp,
                "updated_at": stamp,
                "consulted_on": on.iso,
                "category": category,
                "anonymous": int(anonymous),
                "name": "" if anonymous else person["name"],
                "gender": None if anonymous else person["gender"],
                "age": None if anonymous else age,
                "ethnicity": None if anonymous else person["ethnicity"],
                "employer": "" if anonymous else person["occupation"],
                "address": "" if anonymous else person["address"],
                "phone": "" if anonymous else person["phone"],
                "id_number": person["id_number"] if referred else None,
                "question": question,
                "answer": answer,
                "answered_by": _one(r, _CONSULT_ANSWERERS),
                "mode": "on_site" if referred else _CONSULT_MODES.pick(r),
                "village": v.name,
                "referral": "mediation" if referred else _CONSULT_REFERRALS.pick(r),
                "referral_case_id": case_id if referred else None,
                "notes": "咨询人拒绝提供身份信息" if anonymous else "",
            },
        )


_SURNAME_PICK = _Weighted(_SURNAMES)
