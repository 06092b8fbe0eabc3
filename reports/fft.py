"""The Friends and Family Test, by NHS England's published method (nhsengland/fft_pipeline).

% positive = (very good + good) / total and % negative = (poor + very poor) / total, where the
total counts all six answers: Don't know **is** in the denominator. Empty when the total is 0.
Combined figures add the counts, then recompute.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flows.builtins import FFT_NEGATIVE, FFT_OPTIONS, FFT_POSITIVE

FFT_VALUES: tuple[str, ...] = tuple(value for value, _label in FFT_OPTIONS)
FFT_LABELS: dict[str, str] = {value: label["en"] for value, label in FFT_OPTIONS}


@dataclass(frozen=True)
class FftResult:
    counts: dict[str, int]  # every one of the six answers, zeros included, in published order
    total: int
    positive: int
    negative: int

    @property
    def percent_positive(self) -> float | None:
        return 100 * self.positive / self.total if self.total else None

    @property
    def percent_negative(self) -> float | None:
        return 100 * self.negative / self.total if self.total else None


def fft(counts: Mapping[str, int]) -> FftResult:
    """FFT figures from counts per answer value; values outside the six are an error."""
    unknown = set(counts) - set(FFT_VALUES)
    if unknown:
        raise ValueError(f"not Friends and Family Test answers: {sorted(unknown)}")
    full = {value: int(counts.get(value, 0)) for value in FFT_VALUES}
    return FftResult(
        counts=full,
        total=sum(full.values()),
        positive=sum(full[v] for v in FFT_POSITIVE),
        negative=sum(full[v] for v in FFT_NEGATIVE),
    )


def combine(parts: Iterable[Mapping[str, int]]) -> FftResult:
    """Several units together: counts added, percentages recomputed (never averaged)."""
    total: dict[str, int] = dict.fromkeys(FFT_VALUES, 0)
    for part in parts:
        for value, count in fft(part).counts.items():
            total[value] += count
    return fft(total)
