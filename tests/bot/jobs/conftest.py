"""Fixtures shared by the job tests."""

from tests.fakes.workers import postgres  # noqa: F401  (a pytest fixture)
