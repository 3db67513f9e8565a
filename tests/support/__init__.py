"""Helpers shared by the tests that are neither tests nor fixtures: files and rows to import,
database comparisons, processes to run and kill, the PostgreSQL test server, signing in.

Fixtures live in the conftest.py of the tests that use them (tests/conftest.py for those of
every kind); a test module never imports another test module.
"""
