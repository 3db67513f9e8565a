"""The two argon2id hashers of the tests: the program's own, and a cheap one.

Hashes verify whichever made them (argon2 reads the parameters from the hash), so a test's
cheap hashes still sign in; only a program that checks its own parameters (``needs_rehash``)
tells them apart, which is why the tests that run the program as processes keep its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher

from planit_desktop.model.services.credentials import hashing

#: The program's own hasher, as imported (before any test replaced it).
PRODUCTION_HASHER = hashing.HASHER

#: argon2id still, at the least cost argon2 allows (1 MiB, one pass): a hash takes
#: milliseconds instead of tenths of a second.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@contextmanager
def hashing_with(hasher: PasswordHasher) -> Iterator[None]:
    """Hash (and check hashes' parameters) with ``hasher`` inside the block: the one place
    the program's hasher is replaced, whatever parameters the program itself chooses."""
    from planit_desktop.model.services.demo import school as demo

    before = hashing.HASHER
    hashing.HASHER = hasher
    demo._demo_hash.cache_clear()  # a demo school made now hashes its passwords anew
    try:
        yield
    finally:
        hashing.HASHER = before
        demo._demo_hash.cache_clear()
