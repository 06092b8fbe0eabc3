"""Golden renders: every golden transcript's messages as each registered channel sends them
(tests/bot/channels/renders/<channel>/<transcript>.txt). ``pytest --update-goldens`` rewrites
them; review the diff. A channel added to the registry gets its files on the next update."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.base import Channel, with_opt_out_line
from bot.channels.registry import build_registry
from bot.config.settings import Settings
from flows.events import Message
from tests.flows.transcript import FOLDER, read, replay

RENDERS = Path(__file__).parent / "renders"
TRANSCRIPTS = sorted(FOLDER.glob("*.yaml"))
CHANNELS = list(build_registry(Settings()))


def rendered(channel: Channel, transcript: Path) -> str:
    """What the channel sends at each step, first message with its opt-out line as the runner
    adds it."""
    spec = read(transcript)
    steps, session = replay(spec)
    lines = [f"# {transcript.stem} as {channel.name} sends it (pytest --update-goldens)"]
    first = True
    for number, (step, events) in enumerate(zip(spec["steps"], steps, strict=True), start=1):
        said = next((f"{key}: {step[key]}" for key in ("send", "timeout") if key in step), "start")
        lines.append(f"\n## {number}. {said}")
        for message in (e for e in events if isinstance(e, Message)):
            if first:
                message = with_opt_out_line(message, channel.opt_out_line(session.language))
                first = False
            shown = channel.render(message)
            for part in shown.parts:
                lines.append(f"--- {message.role}")
                lines.append(part)
            if shown.extra:
                lines.append(f"[{json.dumps(shown.extra, ensure_ascii=False, sort_keys=True)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("channel", CHANNELS, ids=[c.name for c in CHANNELS])
@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_render(channel: Channel, transcript: Path, request: pytest.FixtureRequest) -> None:
    golden = RENDERS / channel.name / f"{transcript.stem}.txt"
    text = rendered(channel, transcript)
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        return
    assert golden.exists(), f"no golden render {golden}: run pytest --update-goldens"
    assert golden.read_text(encoding="utf-8") == text


def test_no_golden_render_is_left_over() -> None:
    expected = {f"{c.name}/{p.stem}.txt" for c in CHANNELS for p in TRANSCRIPTS}
    found = {str(p.relative_to(RENDERS)) for p in RENDERS.glob("*/*.txt")}
    assert found - expected == set(), "renders of a removed transcript or channel"
