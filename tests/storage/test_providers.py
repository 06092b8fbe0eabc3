"""Provider names people mistype get a suggestion; unrelated ones do not."""

from __future__ import annotations

import pytest

from storage.providers import closest_name, unknown_provider

KNOWN = ["Sunrise Care", "Hilltop Homecare", "Tiny Care"]


@pytest.mark.parametrize(
    ("typed", "nearest"),
    [
        ("Sunrize Care", "Sunrise Care"),
        ("sunrise care ltd", "Sunrise Care"),
        ("Hill Top Homecare", "Hilltop Homecare"),
        ("Meadowbank Support", None),
        ("", None),
    ],
)
def test_closest_name(typed: str, nearest: str | None) -> None:
    assert closest_name(typed, KNOWN) == nearest


def test_the_message_suggests_or_says_what_to_do() -> None:
    assert unknown_provider("Sunrize Care", KNOWN) == (
        "no provider called 'Sunrize Care': did you mean 'Sunrise Care'?"
    )
    assert unknown_provider("Nobody", KNOWN, "add it with carevoice providers add") == (
        "no provider called 'Nobody': add it with carevoice providers add"
    )
    assert unknown_provider("Nobody", []) == "no provider called 'Nobody'"
