"""Fixtures of the tests that run the program as real processes (killed, raced, piped, built
and installed as a wheel); the shared ones are in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.hashing import PRODUCTION_HASHER, hashing_with


@pytest.fixture(scope="package", autouse=True)
def _the_programs_own_hashing() -> Iterator[None]:
    """The program's own hasher for the whole folder, set before any fixture of a module or
    a test makes a school: a module's template too must hold hashes its child processes keep
    (they redo any other, and the rows a test compares would differ by a fresh salt)."""
    with hashing_with(PRODUCTION_HASHER):
        yield


@pytest.fixture
def production_hashing() -> bool:
    """Passwords here are hashed with the program's own parameters: the child processes sign
    in with them, and would redo a cheaper hash (changing the staff rows a test compares)."""
    return True
