"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V):

    1      registration authority (登记管理部门): 1–9, A, N or Y
    2      organisation category (机构类别): not 0 (under 9: 1 company, 2 sole trader, 3 co-op)
    3–8    administrative division code (登记管理机关行政区划码): six digits
    9–17   organisation code (主体标识码)
    18     check character over the first 17 (weights 3^i mod 31)

Only the structure and the check character are verified: whether a code was ever
issued can be known only from the registry.
"""

from __future__ import annotations

import unicodedata

import msgspec

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
AUTHORITIES = "123456789ANY"

_VALUES = {char: value for value, char in enumerate(ALPHABET)}
# Four of the five letters left out of the alphabet look like digits: name the likely one.
_LOOK_ALIKES = {"I": "1", "O": "0", "Z": "2", "S": "5"}


class CreditCodeError(msgspec.Struct, frozen=True, kw_only=True):
    code: str  # stable: clients and tests match on it
    message: str  # English
    message_zh: str
    position: int | None = None  # 1-based position of the offending character


def normalise_credit_code(text: str) -> str:
    """Strip and uppercase; full-width letters and digits (全角) become ASCII."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def validate_credit_code(text: str) -> CreditCodeError | None:
    """The first thing wrong with `text` as a credit code, or None when it is valid.

    The text is normalised first (see `normalise_credit_code`).
    """
    code = normalise_credit_code(text)
    if len(code) != LENGTH:
        return CreditCodeError(
            code="credit_code_length",
            message=f"a credit code has {LENGTH} characters, not {len(code)}",
            message_zh=f"统一社会信用代码应为{LENGTH}位，实际为{len(code)}位",
        )
    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            return _bad_character(position, char)
    return _position_error(code) or _check_error(code)


def is_valid_credit_code(text: str) -> bool:
    """Whether `text` (after normalising) is a well-formed credit code."""
    return validate_credit_code(text) is None


def check_character(first17: str) -> str:
    """The 18th character for these 17 (which must be from the alphabet)."""
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make_credit_code(first17: str) -> str:
    """`first17` with its check character appended (used to generate demo data).

    Raises ValueError when the result could not be valid (length, alphabet, position rules).
    """
    body = normalise_credit_code(first17)
    if len(body) != LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(body)}: {first17!r}")
    outside = [char for char in body if char not in _VALUES]
    if outside:
        raise ValueError(f"not in the credit code alphabet: {''.join(outside)}")
    code = body + check_character(body)
    error = _position_error(code)
    if error is not None:
        raise ValueError(f"{first17!r}: {error.message}")
    return code


def _position_error(code: str) -> CreditCodeError | None:
    if code[0] not in AUTHORITIES:
        return CreditCodeError(
            code="credit_code_authority",
            message=f"the 1st character (registration authority) cannot be {code[0]}",
            message_zh=f"第1位（登记管理部门代码）不能是“{code[0]}”",
            position=1,
        )
    if code[1] == "0":
        return CreditCodeError(
            code="credit_code_category",
            message="the 2nd character (organisation category) cannot be 0",
            message_zh="第2位（机构类别代码）不能是“0”",
            position=2,
        )
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            return CreditCodeError(
                code="credit_code_division",
                message="characters 3–8 are the administrative division code: six digits",
                message_zh="第3–8位是行政区划码，应为6位数字",
                position=position,
            )
    return None


def _check_error(code: str) -> CreditCodeError | None:
    expected = check_character(code[:17])
    if code[17] == expected:
        return None
    return CreditCodeError(
        code="credit_code_check",
        message=f"wrong check character {code[17]}: expected {expected} (a typing error?)",
        message_zh=f"校验位“{code[17]}”不正确，应为“{expected}”（可能有输入错误）",
        position=LENGTH,
    )


def _bad_character(position: int, char: str) -> CreditCodeError:
    hint = _LOOK_ALIKES.get(char)
    hint_en = f" (did you mean {hint}?)" if hint else ""
    hint_zh = f"（是否应为“{hint}”？）" if hint else ""
    return CreditCodeError(
        code="credit_code_character",
        message=f"character {position} ({char}) is not allowed in a credit code{hint_en}",
        message_zh=f"第{position}位“{char}”不是统一社会信用代码允许的字符{hint_zh}",
        position=position,
    )
