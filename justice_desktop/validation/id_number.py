"""PRC resident identity numbers (居民身份证号码, GB 11643-1999).

An 18-character number: 6-digit administrative region code, 8-digit birth date (YYYYMMDD),
3-digit sequence (the last of them odd for men, even for women) and a check character
computed with ISO 7064 MOD 11-2 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check
characters "10X98765432" indexed by the weighted sum mod 11).

Legacy 15-digit numbers (two-digit year, no check character) are refused by
:func:`parse_resident_id`; :func:`upgrade_15_to_18` converts them.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Literal

from justice_desktop.validation.errors import ValidationError
from justice_desktop.validation.fields import clean_text

__all__ = [
    "PROVINCE_CODES",
    "ResidentId",
    "age_on",
    "normalise_id_text",
    "parse_resident_id",
    "resident_id_check_char",
    "upgrade_15_to_18",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_EARLIEST_YEAR = 1900

#: First two digits of a valid region code: the provincial-level divisions, plus 71 Taiwan,
#: 81/82 Hong Kong/Macao and 83 (residence permits for Taiwan residents), and 91 (the 2023
#: permanent residence ID card for foreigners, which uses the same check algorithm).
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "83", "91"]
)


@dataclass(frozen=True)
class ResidentId:
    """A parsed, valid 18-character resident ID number."""

    number: str
    region_code: str
    birth_date: datetime.date
    gender: Literal["男", "女"]

    def age_on(self, on: datetime.date) -> int:
        """Age in full years on the given day."""
        return age_on(self.birth_date, on)


def normalise_id_text(value: str) -> str:
    """Full-width to half-width, drop all whitespace and invisible characters (pasted zero-width
    spaces), upper-case a trailing x."""
    text = unicodedata.normalize("NFKC", clean_text(value))
    return "".join(text.split()).upper()


def resident_id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of an 18-character ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValidationError("id_number", "计算校验位需要身份证号码的前17位数字")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def age_on(birth: datetime.date, on: datetime.date) -> int:
    """Age in full years (周岁) on ``on``; someone born on 29 February turns a year older
    on 1 March in common years."""
    if on < birth:
        raise ValidationError("birth_date", "计算年龄的日期早于出生日期，请核对出生日期")
    before_birthday = (on.month, on.day) < (birth.month, birth.day)
    return on.year - birth.year - (1 if before_birthday else 0)


def _check_region(region: str, field: str) -> None:
    if region[:2] not in PROVINCE_CODES:
        raise ValidationError(
            field,
            f"身份证号码前两位“{region[:2]}”不是有效的省级行政区划代码，请核对后重新输入",
        )


def _parse_birth_date(text: str, field: str, today: datetime.date) -> datetime.date:
    """``text`` is YYYYMMDD taken from the ID number."""
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    if year < _EARLIEST_YEAR:
        raise ValidationError(field, f"身份证号码中的出生年份{year}年早于1900年，请核对第7至10位")
    if not 1 <= month <= 12:
        raise ValidationError(field, f"身份证号码中的出生月份“{text[4:6]}”不存在，请核对第11至12位")
    try:
        birth = datetime.date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            message = f"身份证号码中的出生日期不存在：{year}年不是闰年，没有2月29日"
        else:
            message = (
                f"身份证号码中的出生日期不存在：{year}年{month}月没有{day}日，请核对第13至14位"
            )
        raise ValidationError(field, message) from None
    if birth > today:
        raise ValidationError(
            field,
            f"身份证号码中的出生日期{year}年{month}月{day}日晚于今天，请核对第7至14位",
        )
    return birth


def _check_characters(number: str, field: str) -> None:
    for position, char in enumerate(number, start=1):
        if char.isascii() and char.isdigit():
            continue
        if char == "X":
            if position != len(number):
                raise ValidationError(
                    field, f"身份证号码只有最后一位可以是X，第{position}位的X有误"
                )
            continue
        raise ValidationError(
            field,
            f"身份证号码中有不能使用的字符“{char}”（第{position}位），"
            "只能填写数字，最后一位可以是X",
        )


def parse_resident_id(
    value: str, field: str = "id_number", *, today: datetime.date | None = None
) -> ResidentId:
    """Validate an 18-character resident ID number and return its parts.

    Spaces (also full-width ones) are ignored and a lowercase x is accepted. ``today`` is
    the reference date for refusing future birth dates (default: the system date).
    """
    number = normalise_id_text(value)
    if not number:
        raise ValidationError(field, "请填写身份证号码")
    _check_characters(number, field)
    if len(number) == 15:
        raise ValidationError(
            field,
            "这是15位的旧身份证号码，请填写18位的居民身份证号码（可查看第二代身份证）",
        )
    if len(number) != 18:
        raise ValidationError(field, f"身份证号码应为18位，您输入了{len(number)}位")
    _check_region(number[:6], field)
    birth = _parse_birth_date(number[6:14], field, today or datetime.date.today())
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationError(field, "身份证号码校验位错误，请核对后重新输入")
    gender: Literal["男", "女"] = "男" if int(number[16]) % 2 == 1 else "女"
    return ResidentId(number=number, region_code=number[:6], birth_date=birth, gender=gender)


def upgrade_15_to_18(value: str, field: str = "id_number") -> str:
    """Convert a legacy 15-digit ID number (YYMMDD, born 1900–1999) to 18 characters."""
    number = normalise_id_text(value)
    if not number:
        raise ValidationError(field, "请填写15位的旧身份证号码")
    if len(number) != 15:
        raise ValidationError(field, f"旧身份证号码应为15位，您输入了{len(number)}位")
    if not (number.isascii() and number.isdigit()):
        raise ValidationError(field, "15位的旧身份证号码只能由数字组成")
    _check_region(number[:6], field)
    first17 = number[:6] + "19" + number[6:]
    _parse_birth_date(first17[6:14], field, datetime.date.today())
    return first17 + resident_id_check_char(first17)
