"""Fixtures of the tests that run the program as real processes (killed, raced, piped, built
and installed as a wheel): the shared ones of tests/conftest.py serve them, and none of
their own is needed yet."""
