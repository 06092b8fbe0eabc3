"""Suggesting the provider a near-miss name means, and only when one is clearly meant."""

from __future__ import annotations

import pytest

from storage.providers import nearest_name

KNOWN = ["Sunrise Care", "Meadow Homecare", "Hilltop Homecare", "Tiny Care"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Sunrise Care Ltd", "Sunrise Care"),
        ("Sunrise Care Limited", "Sunrise Care"),
        ("Sunrize Care", "Sunrise Care"),
        ("sunrise care", "Sunrise Care"),
        ("Meadow Home Care", "Meadow Homecare"),
        ("Paper Care", None),
        ("Acme Domiciliary", None),
        ("Care", None),  # as close to every "… Care": no guess
    ],
)
def test_nearest_name(typed: str, meant: str | None) -> None:
    assert nearest_name(typed, KNOWN) == meant


def test_nothing_known_suggests_nothing() -> None:
    assert nearest_name("Sunrise Care", []) is None


def test_the_message_suggests_or_says_what_to_do() -> None:
    from storage.providers import unknown_provider

    assert unknown_provider("Sunrize Care", KNOWN) == (
        "no provider called 'Sunrize Care': did you mean 'Sunrise Care'?"
    )
    assert unknown_provider("Nobody", KNOWN, "add it with carevoice providers add") == (
        "no provider called 'Nobody': add it with carevoice providers add"
    )
    assert unknown_provider("Nobody", []) == "no provider called 'Nobody'"
