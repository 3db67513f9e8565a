"""Password hashing itself, with the program's own argon2id parameters (every other test
hashes with cheap ones: see ``production_hashing`` in tests/conftest.py)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from planit_desktop.model.services.credentials import hashing

pytestmark = pytest.mark.production_hashing

#: OWASP's least for argon2id: 19 MiB and two passes on one lane (or more memory, fewer
#: passes); the program must never store a hash cheaper than that.
OWASP_LEAST_MEMORY_KIB = 19 * 1024


def test_a_hash_is_argon2id_with_the_programs_own_parameters() -> None:
    stored = hashing.hash_password("a long enough secret")
    made = extract_parameters(stored)
    assert made.type is Type.ID
    assert made == extract_parameters(hashing.HASHER.hash("x"))
    assert made.memory_cost >= OWASP_LEAST_MEMORY_KIB and made.time_cost >= 2
    assert not hashing.needs_rehash(stored)


def test_the_same_password_is_salted_anew_each_time() -> None:
    first, second = hashing.hash_password("Temporary22"), hashing.hash_password("Temporary22")
    assert first != second
    assert hashing.verify_password(first, "Temporary22")
    assert hashing.verify_password(second, "Temporary22")


@pytest.mark.parametrize(
    "stored", [None, "", "not a hash", "$argon2id$v=19$m=65536,t=3,p=1$broken"]
)
def test_no_hash_or_a_broken_one_verifies_nothing(stored: str | None) -> None:
    assert not hashing.verify_password(stored, "Temporary22")


def test_a_wrong_password_does_not_verify() -> None:
    assert not hashing.verify_password(hashing.hash_password("Temporary22"), "Temporary23")


def test_a_cheaper_or_broken_hash_is_to_be_redone() -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("Temporary22")
    assert hashing.verify_password(cheap, "Temporary22")  # still signs in, then is redone
    assert hashing.needs_rehash(cheap)
    assert hashing.needs_rehash("not a hash")
