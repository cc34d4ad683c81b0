import datetime as dt

import pytest

from backend.common.masking import mask_id, mask_phone
from backend.common.validators import (
    InvalidValue,
    id_check_digit,
    validate_id_number,
    validate_mobile,
    validate_phone,
)


def make_id(body17: str) -> str:
    return body17 + id_check_digit(body17)


def test_id_validator_accepts_370683_born_1960():
    # python-stdnum's cn.ric refuses this class of real IDs; ours must not.
    number = make_id("37068319600517001")
    assert validate_id_number(number) == number


def test_id_validator_accepts_lowercase_x():
    body = next(f"3706831955010100{i}" for i in range(10) if id_check_digit(f"3706831955010100{i}") == "X")
    assert validate_id_number(body + "x") == body + "X"


def test_id_validator_rejects_wrong_check_digit():
    number = make_id("37068319600517001")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InvalidValue, match="校验位"):
        validate_id_number(wrong)


@pytest.mark.parametrize("body,reason", [
    ("37068319600230001", "出生日期无效"),   # 30 February
    ("37068330000101001", "出生日期不合理"),  # born in the future
    ("3706831960051700", "18位"),
])
def test_id_validator_rejects_bad_birth_dates_and_lengths(body, reason):
    number = make_id(body) if len(body) == 17 else body
    with pytest.raises(InvalidValue, match=reason):
        validate_id_number(number, today=dt.date(2026, 1, 1))


def test_mobile_and_landline_validation():
    assert validate_mobile("137 0535 3761") == "13705353761"
    with pytest.raises(InvalidValue):
        validate_mobile("12345678901")
    assert validate_phone("2296895") == "0535-2296895"


def test_masks_follow_the_convention():
    assert mask_id("370683196005170018") == "370683********0018"
    assert mask_phone("13705353761") == "137****3761"
