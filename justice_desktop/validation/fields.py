"""Validation and masking of ordinary form fields: text, phones, dates, amounts.

Every validator takes the machine ``field`` name (for the UI to place the message) and, where
the message needs it, the ``label`` a clerk sees on the form ("调解日期", "协议金额").
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from justice_desktop.validation.errors import ValidationError

__all__ = [
    "clean_text",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "optional_text",
    "require_text",
    "validate_amount",
    "validate_date_text",
    "validate_number_prefix",
    "validate_phone",
]

_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
# Area code 0 + 2 or 3 digits, optional hyphen, 7 or 8 digit local number, optional extension.
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(?:(?:-|转|#|,|EXT\.?|X)\d{1,6})?", re.ASCII)


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def validate_phone(value: str, field: str = "phone", *, label: str = "联系电话") -> str:
    """A mainland mobile number (11 digits starting 13–19) or a landline with area code
    (022-12345678, 02212345678, 0371-1234567, optional extension "-123" / "转123").

    Returns the number with spaces removed (and a leading +86 / 0086 country code and the
    hyphens inside a mobile number dropped).
    """
    text = "".join(_nfkc(clean_text(value)).split()).upper()
    if not text:
        raise ValidationError(field, f"请填写{label}")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip("-")
            break
    if text.startswith("86") and len(text) == 13 and _MOBILE.fullmatch(text[2:]):
        text = text[2:]
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    if _MOBILE.fullmatch(text.replace("-", "")):
        return text.replace("-", "")  # 138-1234-1234
    if text.isascii() and text.isdigit() and text.startswith("1"):
        if len(text) != 11:
            raise ValidationError(field, f"{label}：手机号码应为11位，您输入了{len(text)}位")
        raise ValidationError(field, f"{label}：手机号码第二位应为3至9，请核对")
    if text.isascii() and text.isdigit() and 7 <= len(text) <= 8:
        raise ValidationError(field, f"{label}：固定电话请加区号，例如“022-{text}”")
    raise ValidationError(
        field,
        f"{label}格式不正确，请填写11位手机号码，或带区号的固定电话（如022-12345678）",
    )


# Characters that show as nothing on screen, so a clerk cannot see or delete them, but that no
# font prints: control characters pasted from Word (\x07 ends a table cell, \x0b is a manual
# line break, \x0c a page break), C1 controls, zero-width spaces and byte-order marks.
_INVISIBLE: dict[int, str | None] = {
    **{code: None for code in range(0x00, 0x20) if code not in (0x09, 0x0A)},
    0x0B: "\n",
    0x0C: "\n",
    0x7F: None,
    **dict.fromkeys(range(0x80, 0xA0)),
    0x200B: None,
    0x2060: None,
    0xFEFF: None,
}


def clean_text(value: str | None) -> str:
    """Text as stored: Windows and old-Mac line ends as ``\n``, invisible characters (see
    ``_INVISIBLE``) dropped or, for line and page breaks, made a line end."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_INVISIBLE)


def require_text(value: str | None, field: str, label: str, max_len: int) -> str:
    """Required free text: cleaned (:func:`clean_text`), stripped, not empty, at most
    ``max_len`` characters."""
    text = clean_text(value).strip()
    if not text:
        raise ValidationError(field, f"请填写{label}")
    return _check_length(text, field, label, max_len)


def optional_text(value: str | None, field: str, label: str, max_len: int) -> str | None:
    """Optional free text: cleaned and stripped; empty gives ``None``; at most ``max_len``
    characters."""
    text = clean_text(value).strip()
    if not text:
        return None
    return _check_length(text, field, label, max_len)


def _check_length(text: str, field: str, label: str, max_len: int) -> str:
    if len(text) > max_len:
        raise ValidationError(field, f"{label}不能超过{max_len}个字（当前{len(text)}个字）")
    return text


NUMBER_PREFIX_MAX = 10
_PREFIX_BRACKETS = "()（）[]［］【】〔〕<>《》"


def validate_number_prefix(value: str | None, field: str = "number_prefix") -> str:
    """案号简称: the part of a case number before "人调字" ("津东城" in
    "（2025）津东城人调字第1号"). It is printed in every case number and never changes, so
    what would print wrongly is refused: the year or brackets, "人调字" itself, spaces."""
    text = _nfkc(value or "").strip()
    text = require_text(text, field, "案号简称", NUMBER_PREFIX_MAX)
    sample = "如“津东城”（案号为“（2025）津东城人调字第1号”）"
    if any(char.isspace() for char in text):
        raise ValidationError(field, f"案号简称中不能有空格，{sample}")
    if any(char in _PREFIX_BRACKETS for char in text):
        raise ValidationError(field, f"案号简称中不要填写年份和括号，{sample}")
    if "调字" in text or text.endswith("人调"):
        raise ValidationError(field, f"案号简称只填“人调字”前面的部分，{sample}")
    return text


_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})", re.ASCII),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?", re.ASCII),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", re.ASCII),
)
_MIN_YEAR = 1900
_MAX_YEAR = 2100


def validate_date_text(
    value: str,
    field: str,
    label: str,
    *,
    earliest: datetime.date | None = None,
    latest: datetime.date | None = None,
) -> datetime.date:
    """Parse a date typed as 2025-01-31, 2025-1-31, 2025/1/31, 2025.1.31, 2025年1月31日 or
    20250131. ``earliest``/``latest`` optionally bound it (inclusive)."""
    text = "".join(_nfkc(clean_text(value)).split())
    if not text:
        raise ValidationError(field, f"请填写{label}")
    match = next((m for p in _DATE_PATTERNS if (m := p.fullmatch(text))), None)
    if match is None:
        raise ValidationError(
            field,
            f"{label}格式不正确，请按“2025-01-31”或“2025年1月31日”的格式填写",
        )
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValidationError(field, f"{label}的年份{year}年不合理，请核对")
    if not 1 <= month <= 12:
        raise ValidationError(field, f"{label}的月份应在1到12之间，您填写的是{month}")
    try:
        result = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            field, f"{label}不存在：{year}年{month}月没有{day}日，请核对"
        ) from None
    if earliest is not None and result < earliest:
        raise ValidationError(field, f"{label}不能早于{_format_date(earliest)}")
    if latest is not None and result > latest:
        raise ValidationError(field, f"{label}不能晚于{_format_date(latest)}")
    return result


def _format_date(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


_AMOUNT_PLAIN = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_AMOUNT_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_AMOUNT_MAX = Decimal("999999999999.99")
_CENT = Decimal("0.01")


def validate_amount(value: str, field: str, label: str) -> Decimal:
    """A non-negative amount in yuan with at most two decimals ("1200", "1,200.50",
    "￥1200", "1200元"). Returned quantised to cents: Decimal("1200.50")."""
    text = "".join(_nfkc(clean_text(value)).split()).replace("，", ",")
    if not text:
        raise ValidationError(field, f"请填写{label}")
    text = text.lstrip("¥￥")
    if text.endswith("元"):
        text = text[:-1]
    if text.startswith("-"):
        raise ValidationError(field, f"{label}不能为负数")
    if text.startswith("+"):
        text = text[1:]
    if "," in text and not _AMOUNT_GROUPED.fullmatch(text):
        raise ValidationError(
            field, f"{label}中的千位分隔逗号位置不对，请直接填写数字，如“1200.50”"
        )
    if not (_AMOUNT_PLAIN.fullmatch(text) or _AMOUNT_GROUPED.fullmatch(text)):
        raise ValidationError(field, f"{label}应填写以元为单位的数字金额，如“1200”或“1,200.50”")
    digits = text.replace(",", "")
    if "." in digits and len(digits.split(".", 1)[1]) > 2:
        raise ValidationError(field, f"{label}最多保留两位小数（精确到分）")
    try:
        amount = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only numbers
        raise ValidationError(field, f"{label}应填写数字金额") from None
    if amount > _AMOUNT_MAX:
        raise ValidationError(field, f"{label}数额过大，请核对（单位为元）")
    return amount.quantize(_CENT)


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters of an ID number: 110105********002X.

    Shorter numbers (passports, permits) keep the first and last 2 characters; numbers of
    4 characters or fewer are masked entirely."""
    text = "".join(value.split())
    n = len(text)
    if n > 10:
        return text[:6] + "*" * (n - 10) + text[-4:]
    if n > 4:
        return text[:2] + "*" * (n - 4) + text[-2:]
    return "*" * n


def mask_phone(value: str) -> str:
    """Mobile: 138****1234. Landline: area code kept, local number masked but for the last
    4 digits (022-****5678). Anything else keeps only its last 4 characters."""
    text = "".join(value.split())
    if _MOBILE.fullmatch(text):
        return text[:3] + "****" + text[-4:]
    if "-" in text and text.startswith("0"):
        area, _, rest = text.partition("-")
        return area + "-" + _mask_keep_tail(rest)
    if len(text) > 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return _mask_keep_tail(text)


def _mask_keep_tail(text: str) -> str:
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


# Two-character (复姓) surnames common enough to be kept whole when masking.
_COMPOUND_SURNAME_TEXT = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 西门 南宫 "
    "独孤 澹台 公冶 宗政 濮阳 太叔 申屠 轩辕 钟离 闻人 赫连 呼延 万俟 司空 百里 东郭 "
    "第五 梁丘 左丘 拓跋 闾丘 亓官 仲孙 乐正 公羊 漆雕 巫马 颛孙 鲜于 单于"
)
_COMPOUND_SURNAMES = frozenset(_COMPOUND_SURNAME_TEXT.split())


def mask_name(value: str) -> str:
    """Keep the surname, mask the rest: 张三 → 张*, 欧阳娜娜 → 欧阳**.

    A two-character compound surname (欧阳, 司马 …) is kept whole when the name is longer
    than the surname; otherwise only the first character is kept. The middle dot of
    transliterated names (买买提·艾力) is kept. A one-character name is returned as it is.
    """
    text = value.strip()
    if len(text) <= 1:
        return text
    keep = 2 if len(text) > 2 and text[:2] in _COMPOUND_SURNAMES else 1
    return text[:keep] + "".join(c if c in "·•" else "*" for c in text[keep:])
