"""The unified social credit code: structure, check character, and the demo-data maker."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.orgs.credit_code import (
    ALPHABET,
    AUTHORITIES,
    check_character,
    is_valid_credit_code,
    make_credit_code,
    normalise_credit_code,
    validate_credit_code,
)

# Published codes: the example used in GB 32100-2015 explanations, and the codes on the
# business licences of well-known companies (Alibaba China, Tencent, Huawei, Xiaomi).
PUBLISHED = [
    "91350100M000100Y43",
    "91330100799655058B",
    "91440300708461136T",
    "914403001922038216",
    "91110108551385082Q",
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str):
    assert validate_credit_code(code) is None
    assert is_valid_credit_code(code)
    assert make_credit_code(code[:17]) == code


def test_the_check_character_is_computed_as_the_standard_says():
    # Computed independently: the standard's weights are the powers of 3 modulo 31.
    values = [ALPHABET.index(char) for char in "91350100M000100Y4"]
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(v * w for v, w in zip(values, weights, strict=True))
    assert ALPHABET[(31 - total % 31) % 31] == "3" == check_character("91350100M000100Y4")


def test_normalising_strips_uppercases_and_folds_full_width():
    assert normalise_credit_code("  91350100m000100y43\n") == "91350100M000100Y43"
    assert normalise_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert is_valid_credit_code(" 91350100m000100y43 ")


@pytest.mark.parametrize(
    ("text", "code", "position", "in_message_zh"),
    [
        ("", "credit_code_length", None, "实际为0位"),
        ("91350100M000100Y4", "credit_code_length", None, "实际为17位"),
        ("91350100M000100Y433", "credit_code_length", None, "实际为19位"),
        ("91350100M000100O43", "credit_code_character", 16, "“O”"),
        ("91350100M0001I0Y43", "credit_code_character", 14, "“1”"),  # the hint names 1
        ("91350100M000100Y4-", "credit_code_character", 18, "“-”"),
        ("B1350100M000100Y43", "credit_code_authority", 1, "“B”"),
        ("90350100M000100Y43", "credit_code_category", 2, "第2位"),
        ("9135010AM000100Y43", "credit_code_division", 8, "行政区划码"),
        ("91350100M000100Y44", "credit_code_check", 18, "应为“3”"),
    ],
)
def test_each_problem_has_a_code_and_says_what_is_wrong(
    text: str, code: str, position: int | None, in_message_zh: str
):
    error = validate_credit_code(text)
    assert error is not None
    assert (error.code, error.position) == (code, position)
    assert in_message_zh in error.message_zh
    assert error.message
    assert not is_valid_credit_code(text)


def test_the_wrong_check_character_message_names_the_expected_one():
    error = validate_credit_code("91350100M000100Y4A")
    assert error is not None
    assert "expected 3" in error.message


@pytest.mark.parametrize(
    "first17",
    ["9135010M000100Y4", "91350100M000100Y4X", "91350100M000100O4", "B1350100M000100Y4"],
)
def test_make_credit_code_refuses_what_could_not_be_valid(first17: str):
    with pytest.raises(ValueError):
        make_credit_code(first17)


def first17s() -> st.SearchStrategy[str]:
    """Structurally valid first 17 characters."""
    return st.builds(
        lambda authority, category, division, body: authority + category + division + body,
        st.sampled_from(AUTHORITIES),
        st.sampled_from(ALPHABET[1:]),
        st.text("0123456789", min_size=6, max_size=6),
        st.text(ALPHABET, min_size=9, max_size=9),
    )


@given(first17s())
def test_every_made_code_validates(first17: str):
    code = make_credit_code(first17)
    assert code[:17] == first17
    assert validate_credit_code(code) is None
    assert validate_credit_code(code.lower()) is None


@given(first17s(), st.integers(0, 17), st.sampled_from(ALPHABET + "IOZSV*"))
def test_changing_any_one_character_makes_a_code_invalid(
    first17: str, position: int, replacement: str
):
    code = make_credit_code(first17)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code:
        # 31 is prime and no weight is a multiple of it: one substitution always
        # changes the weighted sum modulo 31.
        assert validate_credit_code(changed) is not None
