"""CAS registry numbers: the check digit, and what a clerk may type."""

from __future__ import annotations

import pytest

from service.hazards.cas import normalise_cas, valid_cas


@pytest.mark.parametrize(
    "number",
    ["7732-18-5", "64-17-5", "7664-41-7", "71-43-2", "50-00-0", "1333-74-0", "7440-44-0"],
)
def test_real_cas_numbers_pass(number: str) -> None:
    assert valid_cas(number)


@pytest.mark.parametrize(
    "number",
    [
        "7732-18-4",  # water with a wrong check digit
        "64-17-6",
        "7664-41-1",
        "7732185",  # no hyphens
        "7-18-5",  # too few leading digits
        "12345678-18-5",  # too many
        "7732-1-5",
        "7732-18-55",
        "CAS 7732-18-5",
        "",
    ],
)
def test_wrong_or_malformed_numbers_fail(number: str) -> None:
    assert not valid_cas(number)


def test_what_a_phone_keyboard_types_is_tidied_first() -> None:
    assert normalise_cas(" ７７３２－１８－５ ") == "7732-18-5"
    assert valid_cas("7664–41–7")  # en dashes from an input method
    assert not valid_cas("٧٧٣٢-18-5")  # digits of another script are no CAS number
