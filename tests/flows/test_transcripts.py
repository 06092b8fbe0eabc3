"""Every bundled flow, played through golden transcripts (see transcript.py for the format)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.loader import bundled_ids
from tests.flows.transcript import FOLDER, play, read, write

TRANSCRIPTS = sorted(FOLDER.glob("*.yaml"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(path: Path, request: pytest.FixtureRequest) -> None:
    spec = read(path)
    outputs, session = play(spec)
    answers = dict(session.answers)
    if request.config.getoption("--update-goldens"):
        for step, events in zip(spec["steps"], outputs, strict=True):
            step["expect"] = events
        spec["answers"] = answers
        spec["status"] = session.status.value
        write(path, spec)
        return
    for number, (step, events) in enumerate(zip(spec["steps"], outputs, strict=True), start=1):
        assert list(step.get("expect", [])) == events, f"step {number} of {path.name}"
    assert dict(spec["answers"]) == answers
    assert spec["status"] == session.status.value


def test_every_bundled_flow_has_transcripts() -> None:
    covered = {str(read(path)["flow"]) for path in TRANSCRIPTS}
    assert set(bundled_ids()) <= covered
