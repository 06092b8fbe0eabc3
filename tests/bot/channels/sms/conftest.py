"""Fixtures shared by the SMS tests."""

from tests.fakes.workers import postgres  # noqa: F401  (a pytest fixture)
