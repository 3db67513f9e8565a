"""Fixtures of the tests that run the program as real processes (killed, raced, piped, built
and installed as a wheel); the shared ones are in tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def production_hashing() -> bool:
    """Passwords here are hashed with the program's own parameters: the child processes sign
    in with them, and would redo a cheaper hash (changing the staff rows a test compares)."""
    return True
