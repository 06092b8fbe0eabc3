"""The web form over real HTTP on a loopback port, and a visitor who fills it in as a browser
without JavaScript would: read the page's form, post its fields back, follow the redirect."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

import flows
from bot.app import create_app
from bot.config.settings import Settings
from storage.crypto import generate_key
from storage.models import Answer
from tests.fakes.live_service import LiveService

PUBLIC_URL = "http://forum.example.org"  # over http the session cookie is not Secure


class _Forms(HTMLParser):
    """The hidden fields and action of each form on a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), {}))
        elif tag == "input" and values.get("type") == "hidden" and self.forms:
            self.forms[-1][1][values.get("name", "")] = values.get("value", "")


def forms(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def heading(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "every page has one h1"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@dataclass
class Visitor:
    client: httpx.Client
    page: httpx.Response | None = None
    history: list[httpx.Response] = field(default_factory=list)

    def get(self, path: str) -> httpx.Response:
        self.page = self.client.get(path)
        self.history.append(self.page)
        return self.page

    def submit(self, answer: list[str] | str | None = None, **override: str) -> httpx.Response:
        """Post the page's first form with ``answer`` (several for checkboxes)."""
        assert self.page is not None
        action, hidden = forms(self.page.text)[0]
        data: dict[str, str | list[str]] = {**hidden, **override}
        if answer is not None:
            data["answer"] = answer
        return self.post(action, data)

    def post(self, path: str, data: dict[str, str | list[str]]) -> httpx.Response:
        self.page = self.client.post(path, data=data)
        self.history.append(self.page)
        return self.page

    @property
    def title(self) -> str:
        assert self.page is not None
        return heading(self.page.text)


@dataclass
class FormWorld:
    settings: Settings
    engine: Engine
    service: LiveService

    def visitor(self) -> Visitor:
        client = httpx.Client(base_url=self.service.url, follow_redirects=True, timeout=30)
        return Visitor(client)

    def answers(self, *, superseded: bool = False) -> list[tuple[str, object]]:
        with Session(self.engine) as db:
            rows = db.exec(
                select(Answer)
                .where(col(Answer.superseded).is_(superseded))
                .order_by(col(Answer.id))
            ).all()
        return [(row.question_id, row.given) for row in rows]


def world_settings(engine: Engine, **extra: object) -> Settings:
    return Settings(
        database_url=str(engine.url), secret_key=generate_key(), public_url=PUBLIC_URL,
        web_organisation="Northshire Parent Carer Forum", web_colour="#6f2c91", **extra,
    )  # fmt: skip


def variant(folder: Path, flow_id: str, web: str) -> None:
    source = (Path(flows.__file__).parent / "library" / "fft.yaml").read_text(encoding="utf-8")
    source = source.replace("id: fft\n", f"id: {flow_id}\n", 1).replace(
        "start_keywords: [FFT]\n", ""
    )
    (folder / f"{flow_id}.yaml").write_text(f"{source}\nweb:\n{web}", encoding="utf-8")


@pytest.fixture
def form_world(db_engine: Engine) -> Iterator[FormWorld]:
    settings = world_settings(db_engine)
    service = LiveService(create_app(settings, db_engine)).start()
    try:
        yield FormWorld(settings, db_engine, service)
    finally:
        service.stop()
