"""Password hashing (argon2id only) and generation of temporary passwords (``secrets``)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# No look-alikes (0/O, 1/l/I) and no symbols, so a password never starts with = + - @
# (a spreadsheet would take it for a formula) and reads aloud unambiguously.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".replace("o", "")
MIN_LENGTH = 10

# argon2id at OWASP's minimum (19 MiB, 2 passes, one lane), for learners, staff and
# secondary passwords alike: a school's PC hashes a 2,000-learner import in well under a
# minute, one hash per core, where RFC 9106's 64 MiB profile took minutes. Hashes made with
# other parameters (the earlier 64 MiB, 3 passes) still verify, since argon2 reads the
# parameters from the hash itself; :func:`needs_rehash` tells sign-in to redo them.
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``, salted; the only form a password is ever stored in."""
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for a mismatch or no hash."""
    if not stored_hash:
        return False
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's and should be redone."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def generate_password(length: int = MIN_LENGTH) -> str:
    """A random password of ``length`` characters (at least 10) from :data:`ALPHABET`."""
    if length < MIN_LENGTH:
        raise ValueError(f"a generated password has at least {MIN_LENGTH} characters")
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
