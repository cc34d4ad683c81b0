"""Validators for national identifiers and phones, with Chinese reasons for users."""

from __future__ import annotations

import datetime as dt
import re

import phonenumbers

_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


class InvalidValue(ValueError):
    """Carries the Chinese reason shown to users."""


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 (ISO 7064 MOD 11-2) check character."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-digit citizen ID number or raise InvalidValue.

    Written here because python-stdnum's cn.ric refuses real IDs of people born before 1989.
    """
    value = (value or "").strip().upper()
    if not _ID_RE.match(value):
        raise InvalidValue("身份证号码应为18位，前17位为数字，最后一位为数字或X。")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidValue("身份证号码中的出生日期无效。") from None
    if born.year < 1890 or born > (today or dt.date.today()):
        raise InvalidValue("身份证号码中的出生日期不合理。")
    if id_check_digit(value[:17]) != value[17]:
        raise InvalidValue("身份证号码校验位错误。")
    return value


def id_birth_date(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_sex(value: str) -> str:
    """National sex code: 01 男 (odd 17th digit), 02 女."""
    return "01" if int(value[16]) % 2 else "02"


def validate_mobile(value: str) -> str:
    """A mainland mobile number, returned as 11 digits."""
    raw = (value or "").strip().replace(" ", "").replace("-", "")
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidValue("手机号码格式不正确。") from None
    if not phonenumbers.is_valid_number(parsed) or phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    ):
        raise InvalidValue("手机号码不是有效的大陆手机号。")
    return str(parsed.national_number)


def validate_phone(value: str, *, default_area: str = "0535") -> str:
    """A mobile, or a landline (a 7- or 8-digit local number takes the tenant's area code)."""
    raw = (value or "").strip().replace(" ", "").replace("-", "")
    if raw.isdigit() and len(raw) in (7, 8):
        raw = default_area + raw
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidValue("电话号码格式不正确。") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidValue("电话号码无效。")
    if phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    ):
        return str(parsed.national_number)
    national = str(parsed.national_number)
    area = phonenumbers.length_of_geographical_area_code(parsed)
    return f"0{national[:area]}-{national[area:]}" if area else "0" + national
