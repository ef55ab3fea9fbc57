"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Layout (18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY", no I, O, Z, S, V):

* 1: registration authority (登记管理部门代码), e.g. 1 机构编制, 5 民政, 9 工商, Y 其他;
* 2: organisation category (机构类别代码), a digit;
* 3–8: administrative region code (登记管理机关行政区划码), digits;
* 9–17: organisation code (主体标识码, GB 11714: 8 characters + its own check character);
* 18: check character: 31 - (sum of value × weight mod 31), 31 becomes 0.

The GB 11714 sub-check (weights 3 7 9 10 5 8 4 2 on the values 0–9, A=10 … Z=35;
check = 11 - sum mod 11, 10 → X, 11 → 0) was verified against a list of real published
codes (enterprises, individual businesses, public institutions) before being enforced.
"""

from __future__ import annotations

import unicodedata

from justice_desktop.validation.errors import ValidationError
from justice_desktop.validation.fields import clean_text

__all__ = [
    "CREDIT_CODE_CHARSET",
    "credit_code_check_char",
    "organization_code_check_char",
    "validate_credit_code",
]

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_AUTHORITIES = frozenset("123456789ANY")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_LETTERS_NOT_USED = "IOZSV"


def credit_code_check_char(first17: str) -> str:
    """The 18th character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(char not in _VALUES for char in first17):
        raise ValidationError("credit_code", "计算校验位需要统一社会信用代码的前17位")
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def _org_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    return ord(char) - ord("A") + 10


def organization_code_check_char(body: str) -> str:
    """The GB 11714 check character for the 8-character organisation code body."""
    if len(body) != 8 or not body.isascii() or not body.isalnum() or body != body.upper():
        raise ValidationError("credit_code", "计算校验位需要8位组织机构代码本体")
    total = sum(_org_value(char) * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def _normalise(value: str) -> str:
    text = unicodedata.normalize("NFKC", clean_text(value))
    return "".join(text.split()).replace("-", "").upper()


def validate_credit_code(value: str, field: str = "credit_code") -> str:
    """Validate a unified social credit code and return it normalised (upper case, no
    spaces or hyphens)."""
    code = _normalise(value)
    if not code:
        raise ValidationError(field, "请填写统一社会信用代码")
    for position, char in enumerate(code, start=1):
        if char in _VALUES:
            continue
        if char in _LETTERS_NOT_USED:
            raise ValidationError(
                field,
                f"统一社会信用代码不使用字母I、O、Z、S、V，第{position}位的“{char}”有误，"
                "请核对是否应为数字1、0、2、5或其他字母",
            )
        raise ValidationError(
            field,
            f"统一社会信用代码中有不能使用的字符“{char}”（第{position}位），"
            "只能由数字和大写字母组成",
        )
    if len(code) != 18:
        if len(code) == 15 and code.isdigit():
            raise ValidationError(
                field,
                "这像是15位的旧工商注册号，请填写营业执照上18位的统一社会信用代码",
            )
        if len(code) == 9:
            raise ValidationError(
                field,
                "这像是9位的旧组织机构代码，请填写18位的统一社会信用代码",
            )
        raise ValidationError(field, f"统一社会信用代码应为18位，您输入了{len(code)}位")
    if code[0] not in _AUTHORITIES:
        raise ValidationError(
            field, f"统一社会信用代码第1位（登记管理部门代码）不能是“{code[0]}”，请核对"
        )
    if not ("1" <= code[1] <= "9"):
        raise ValidationError(
            field, f"统一社会信用代码第2位（机构类别代码）应为数字1至9，不能是“{code[1]}”"
        )
    if not code[2:8].isdigit():
        raise ValidationError(field, "统一社会信用代码第3至8位是行政区划代码，只能是数字，请核对")
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(field, "统一社会信用代码校验位错误，请核对后重新输入")
    if organization_code_check_char(code[8:16]) != code[16]:
        raise ValidationError(
            field,
            "统一社会信用代码第9至17位（组织机构代码）校验不通过，请核对后重新输入",
        )
    return code
