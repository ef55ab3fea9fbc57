"""Validation of ID numbers, credit codes and ordinary form fields.

Check characters of the fixed vectors are computed by hand in the docstrings; generated
vectors use an independent (recursive, Horner-style) computation of the same check systems.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from justice_desktop.validation.credit_code import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    organization_code_check_char,
    validate_credit_code,
)
from justice_desktop.validation.errors import ValidationError
from justice_desktop.validation.fields import (
    mask_id_number,
    mask_name,
    mask_phone,
    optional_text,
    require_text,
    validate_amount,
    validate_date_text,
    validate_phone,
)
from justice_desktop.validation.id_number import (
    ResidentId,
    age_on,
    parse_resident_id,
    resident_id_check_char,
    upgrade_15_to_18,
)

TODAY = datetime.date(2025, 6, 30)


def _message(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return excinfo.value.message


# --- independent check-character computations (different code path from the module) -------


def iso7064_mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 computed recursively: P = (P + d) * 2 mod 11 for each digit,
    then the check value c satisfies (P + c) mod 11 == 1; value 10 is written X."""
    p = 0
    for char in first17:
        p = (p + int(char)) * 2 % 11
    c = (1 - p) % 11
    return "X" if c == 10 else str(c)


def uscc_check(first17: str) -> str:
    """GB 32100 weights are 3**i mod 31, so the weighted sum is a polynomial in 3 that
    Horner's rule evaluates from the last character backwards."""
    table = {ch: i for i, ch in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
    acc = 0
    for char in reversed(first17):
        acc = (acc * 3 + table[char]) % 31
    return "0123456789ABCDEFGHJKLMNPQRTUWXY"[(31 - acc) % 31]


def gb11714_check(body: str) -> str:
    """GB 11714 weights 3 7 9 10 5 8 4 2 are 2**8 … 2**1 mod 11: Horner with factor 2."""
    acc = 0
    for char in body:
        value = int(char) if char.isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ".index(char) + 10
        acc = (acc + value) * 2 % 11
    c = (11 - acc) % 11
    return "X" if c == 10 else str(c)


def make_resident_id(rng: random.Random) -> tuple[str, datetime.date, str]:
    region = rng.choice(["110105", "120104", "120111", "370102", "650102", "440305"])
    birth = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(0, 45000))
    seq = f"{rng.randrange(0, 1000):03d}"
    first17 = region + birth.strftime("%Y%m%d") + seq
    gender = "男" if int(seq[2]) % 2 else "女"
    return first17 + iso7064_mod11_2(first17), birth, gender


def make_credit_code(rng: random.Random) -> str:
    authority = rng.choice("123456789ANY")
    category = rng.choice("1239")
    region = rng.choice(["110000", "120104", "340603", "620105", "100000"])
    org_body = "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(8))
    first17 = authority + category + region + org_body + gb11714_check(org_body)
    return first17 + uscc_check(first17)


# --- resident ID numbers -------------------------------------------------------------------


def test_well_known_sample_id_with_x() -> None:
    """11010519491231002X: digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 times weights
    7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167;
    167 mod 11 = 2; "10X98765432"[2] = X. 17th digit 2 is even: 女."""
    parsed = parse_resident_id("11010519491231002X", today=TODAY)
    assert parsed == ResidentId(
        number="11010519491231002X",
        region_code="110105",
        birth_date=datetime.date(1949, 12, 31),
        gender="女",
    )
    assert parsed.age_on(TODAY) == 75


def test_male_id_and_normalisation() -> None:
    """110101199003074477: 7+9+0+5+0+4+2+9+54+0+0+27+0+35+32+16+14 = 214;
    214 mod 11 = 5; "10X98765432"[5] = 7. 17th digit 7 is odd: 男."""
    parsed = parse_resident_id(" 110101 19900307 4477 ", today=TODAY)
    assert parsed.number == "110101199003074477"
    assert parsed.gender == "男"
    assert parsed.birth_date == datetime.date(1990, 3, 7)
    # lowercase x and full-width characters are accepted
    assert parse_resident_id("11010519491231002x", today=TODAY).number == "11010519491231002X"
    assert (
        parse_resident_id("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).number
        == "11010519491231002X"
    )


def test_check_char_functions_agree_with_hand_values() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("11010119900307447") == "7"
    assert iso7064_mod11_2("11010519491231002") == "X"
    assert iso7064_mod11_2("11010119900307447") == "7"


def test_generated_ids_round_trip() -> None:
    rng = random.Random(20250630)
    for _ in range(500):
        number, birth, gender = make_resident_id(rng)
        parsed = parse_resident_id(number, today=TODAY)
        assert parsed.birth_date == birth
        assert parsed.gender == gender
        assert parsed.number == number


def test_every_single_character_change_is_rejected() -> None:
    number = "110101199003074477"
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == number[position]:
                continue
            changed = number[:position] + replacement + number[position + 1 :]
            with pytest.raises(ValidationError):
                parse_resident_id(changed, today=TODAY)


def test_bad_check_digit() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id("110101199003074478", today=TODAY)
    assert _message(excinfo) == "身份证号码校验位错误，请核对后重新输入"
    assert excinfo.value.field == "id_number"


def test_feb_29_in_common_year() -> None:
    """1999 is not a leap year; the check character is made valid so only the date fails."""
    first17 = "12010119990229001"
    number = first17 + iso7064_mod11_2(first17)
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id(number, field="party_id", today=TODAY)
    assert excinfo.value.field == "party_id"
    assert "1999年不是闰年" in _message(excinfo)
    # 2000 is a leap year
    first17 = "12010120000229001"
    assert parse_resident_id(first17 + iso7064_mod11_2(first17), today=TODAY).birth_date == (
        datetime.date(2000, 2, 29)
    )


@pytest.mark.parametrize(
    ("birth", "fragment"),
    [
        ("20250701", "晚于今天"),
        ("18991231", "早于1900年"),
        ("19901301", "出生月份"),
        ("19900431", "4月没有31日"),
        ("19900000", "出生月份"),
    ],
)
def test_bad_birth_dates(birth: str, fragment: str) -> None:
    first17 = "120101" + birth + "123"
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id(first17 + iso7064_mod11_2(first17), today=TODAY)
    assert fragment in _message(excinfo)


def test_wrong_length_says_how_many_digits() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id("11010519491231002", today=TODAY)
    assert _message(excinfo) == "身份证号码应为18位，您输入了17位"
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id("1101051949123100211", today=TODAY)
    assert "您输入了19位" in _message(excinfo)


def test_empty_and_illegal_characters() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id("   ")
    assert _message(excinfo) == "请填写身份证号码"
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id("1101051949123I002X")
    assert "不能使用的字符“I”" in _message(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id("11010519491231X021")
    assert "只有最后一位可以是X" in _message(excinfo)


def test_invalid_province() -> None:
    first17 = "99010119900307447"
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id(first17 + iso7064_mod11_2(first17), today=TODAY)
    assert "“99”不是有效的省级行政区划代码" in _message(excinfo)


def test_legacy_15_digit_refused_and_upgraded() -> None:
    """130503670401001 → insert 19 → 13050319670401001; products
    7+27+0+25+0+12+2+9+36+21+0+36+0+5+0+0+2 = 182; 182 mod 11 = 6; check "6"."""
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id("130503670401001")
    assert "15位的旧身份证号码" in _message(excinfo)
    assert "18位" in _message(excinfo)
    assert upgrade_15_to_18("130503670401001") == "130503196704010016"
    assert parse_resident_id(upgrade_15_to_18("130503670401001")).gender == "男"
    with pytest.raises(ValidationError):
        upgrade_15_to_18("130503670231001")  # 31 February
    with pytest.raises(ValidationError) as excinfo:
        upgrade_15_to_18("13050367040100")
    assert "您输入了14位" in _message(excinfo)


def test_age_on() -> None:
    birth = datetime.date(1990, 3, 7)
    assert age_on(birth, datetime.date(2025, 3, 6)) == 34
    assert age_on(birth, datetime.date(2025, 3, 7)) == 35
    leapling = datetime.date(2000, 2, 29)
    assert age_on(leapling, datetime.date(2018, 2, 28)) == 17
    assert age_on(leapling, datetime.date(2018, 3, 1)) == 18
    with pytest.raises(ValidationError):
        age_on(birth, datetime.date(1989, 1, 1))


@settings(max_examples=300, database=None, deadline=None)
@given(st.text(max_size=25))
def test_parse_never_raises_anything_else(text: str) -> None:
    try:
        parse_resident_id(text, today=TODAY)
    except ValidationError as exc:
        assert exc.message
    try:
        validate_credit_code(text)
    except ValidationError as exc:
        assert exc.message


# --- unified social credit codes -----------------------------------------------------------

# Published real codes (a sample of the list of numbers "found online" in python-stdnum's
# tests/test_cn_uscc.doctest, plus well-known companies): enterprises (91), an individual
# business (92) and a public institution (12), with letters in the organisation code.
REAL_CREDIT_CODES = [
    "91110000600037341L",
    "121200004013590816",
    "9144030071526726XG",
    "91310115MA1K3BTP2B",
    "91340600MA2PBM9HXD",
    "91620105L015101280",
    "92340621MA2PBKRXXG",
    "92340602MA2PEL8AXA",
    "9162010555628132X1",
    "91120224064012553U",
    "914403001922038216",
    "91110000802100433B",
]


def test_hand_computed_credit_code() -> None:
    """91110000600037341L. Values 9 1 1 1 0 0 0 0 6 0 0 0 3 7 3 4 1 times weights
    1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 = 9+3+9+27+0+0+0+0+120+0+0+0+24+168+30
    +120+28 = 538; 538 mod 31 = 11; 31 - 11 = 20 → L (A=10 … H=17, J=18, K=19, L=20).
    Organisation code 60003734: 6·3+0·7+0·9+0·10+3·5+7·8+3·4+4·2 = 109; 109 mod 11 = 10;
    11 - 10 = 1, the 17th character."""
    assert credit_code_check_char("91110000600037341") == "L"
    assert organization_code_check_char("60003734") == "1"
    assert validate_credit_code("91110000600037341L") == "91110000600037341L"


def test_tencent_organisation_code_check_x() -> None:
    """9144030071526726XG: 7·3+1·7+5·9+2·10+6·5+7·8+2·4+6·2 = 199; 199 mod 11 = 1;
    11 - 1 = 10 → X."""
    assert organization_code_check_char("71526726") == "X"


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code) == code
    assert uscc_check(code[:17]) == code[17]
    assert gb11714_check(code[8:16]) == code[16]


def test_credit_code_normalisation() -> None:
    assert validate_credit_code(" 91 110000 600037341l ") == "91110000600037341L"
    assert validate_credit_code("91110000-600037341-L") == "91110000600037341L"


def test_generated_credit_codes() -> None:
    rng = random.Random(32100)
    for _ in range(500):
        code = make_credit_code(rng)
        assert validate_credit_code(code.lower()) == code
        assert credit_code_check_char(code[:17]) == code[17]


def test_credit_code_wrong_check_char() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("91110000600037341N", field="org_code")
    assert excinfo.value.field == "org_code"
    assert _message(excinfo) == "统一社会信用代码校验位错误，请核对后重新输入"


def test_credit_code_wrong_organisation_check() -> None:
    # 17th character changed from 1 to 2 and the 18th recomputed: only the GB 11714 check fails
    first17 = "91110000600037342"
    code = first17 + uscc_check(first17)
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert "组织机构代码" in _message(excinfo)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "请填写统一社会信用代码"),
        ("9111000060003IOZSV", "不使用字母I、O、Z、S、V"),
        ("9111000060003734!L", "不能使用的字符“!”"),
        ("12345", "应为18位，您输入了5位"),
        ("110108000000016", "15位的旧工商注册号"),
        ("600037341", "组织机构代码"),
        ("01110000600037341L", "第1位"),
        ("9A110000600037341L", "第2位"),
        ("911100A0600037341L", "第3至8位"),
    ],
)
def test_credit_code_errors(value: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(value)
    assert fragment in _message(excinfo)


# --- phones, text, dates, amounts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812341234", "13812341234"),
        ("138 1234 1234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("022-12345678", "022-12345678"),
        ("02212345678", "02212345678"),
        ("0371-1234567", "0371-1234567"),
        ("022-12345678-801", "022-12345678-801"),
        ("022-12345678转801", "022-12345678转801"),
        ("１３８１２３４１２３４", "13812341234"),
    ],
)
def test_valid_phones(value: str, expected: str) -> None:
    assert validate_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "请填写联系电话"),
        ("1381234123", "手机号码应为11位，您输入了10位"),
        ("12812341234", "第二位应为3至9"),
        ("23456789", "请加区号"),
        ("12345678", "手机号码应为11位，您输入了8位"),
        ("abc", "格式不正确"),
        ("22-12345678", "格式不正确"),
    ],
)
def test_invalid_phones(value: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_phone(value)
    assert fragment in _message(excinfo)
    assert excinfo.value.field == "phone"


def test_require_and_optional_text() -> None:
    assert require_text("  张三 ", "name", "姓名", 20) == "张三"
    with pytest.raises(ValidationError) as excinfo:
        require_text("   ", "name", "姓名", 20)
    assert _message(excinfo) == "请填写姓名"
    assert excinfo.value.field == "name"
    with pytest.raises(ValidationError) as excinfo:
        require_text("一二三四五六", "summary", "纠纷简要情况", 5)
    assert _message(excinfo) == "纠纷简要情况不能超过5个字（当前6个字）"
    assert require_text("一二三四五", "summary", "纠纷简要情况", 5) == "一二三四五"
    assert optional_text("  ", "note", "备注", 10) is None
    assert optional_text(None, "note", "备注", 10) is None
    assert optional_text(" 无 ", "note", "备注", 10) == "无"
    with pytest.raises(ValidationError) as excinfo:
        optional_text("x" * 11, "note", "备注", 10)
    assert _message(excinfo) == "备注不能超过10个字（当前11个字）"


@pytest.mark.parametrize(
    "value",
    [
        "2025-01-31",
        "2025-1-31",
        "2025/1/31",
        "2025.01.31",
        "2025年1月31日",
        "2025年01月31日",
        "20250131",
    ],
)
def test_dates_accepted(value: str) -> None:
    assert validate_date_text(value, "mediation_date", "调解日期") == datetime.date(2025, 1, 31)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "请填写调解日期"),
        ("31/01/2025", "调解日期格式不正确"),
        ("明天", "调解日期格式不正确"),
        ("2025-02-29", "2025年2月没有29日"),
        ("2025-13-01", "月份应在1到12之间"),
        ("1850-01-01", "年份1850年不合理"),
    ],
)
def test_dates_rejected(value: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_date_text(value, "mediation_date", "调解日期")
    assert fragment in _message(excinfo)
    assert excinfo.value.field == "mediation_date"


def test_date_bounds() -> None:
    latest = datetime.date(2025, 6, 30)
    assert validate_date_text("2025-06-30", "d", "登记日期", latest=latest) == latest
    with pytest.raises(ValidationError) as excinfo:
        validate_date_text("2025-07-01", "d", "登记日期", latest=latest)
    assert _message(excinfo) == "登记日期不能晚于2025年6月30日"
    with pytest.raises(ValidationError) as excinfo:
        validate_date_text("2025-06-29", "d", "登记日期", earliest=latest)
    assert _message(excinfo) == "登记日期不能早于2025年6月30日"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1200", Decimal("1200.00")),
        ("1,200.50", Decimal("1200.50")),
        ("1，200.5", Decimal("1200.50")),
        ("￥1200元", Decimal("1200.00")),
        ("0", Decimal("0.00")),
        ("0.01", Decimal("0.01")),
        ("12,345,678.90", Decimal("12345678.90")),
    ],
)
def test_amounts_accepted(value: str, expected: Decimal) -> None:
    result = validate_amount(value, "amount", "协议金额")
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "请填写协议金额"),
        ("-5", "协议金额不能为负数"),
        ("1.234", "最多保留两位小数"),
        ("12,00", "千位分隔"),
        ("一千元", "数字金额"),
        ("1e5", "数字金额"),
        ("1.2.3", "数字金额"),
        ("9999999999999", "数额过大"),
    ],
)
def test_amounts_rejected(value: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_amount(value, "amount", "协议金额")
    assert fragment in _message(excinfo)


# --- masks ---------------------------------------------------------------------------------


def test_masks() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("E12345678") == "E1*****78"
    assert mask_id_number("123") == "***"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("022-12345678") == "022-****5678"
    assert mask_phone("02212345678") == "022****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("王小明") == "王**"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("欧阳修") == "欧阳*"
    assert mask_name("欧阳") == "欧*"
    assert mask_name("买买提·艾力") == "买**·**"
    assert mask_name("") == ""
