"""The service hashes passwords with argon2id at the library's recommended costs.

(The other tests hash at the cheapest costs, see tests/conftest.py: this checks what the
service itself does.)"""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters, profiles

from service.accounts import passwords
from tests.conftest import PRODUCTION_PASSWORD_HASHER


def test_the_service_hashes_with_argon2ids_recommended_costs():
    recommended = PasswordHasher.from_parameters(profiles.get_default_parameters())
    hashed = PRODUCTION_PASSWORD_HASHER.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert extract_parameters(hashed) == extract_parameters(recommended.hash("x"))
    assert extract_parameters(hashed).memory_cost >= 64 * 1024  # 64 MiB per guess


def test_a_cheap_test_hash_would_be_rehashed_by_the_service():
    cheap = passwords._hasher.hash("correct horse battery")
    assert PRODUCTION_PASSWORD_HASHER.check_needs_rehash(cheap)
    assert PRODUCTION_PASSWORD_HASHER.verify(cheap, "correct horse battery")
