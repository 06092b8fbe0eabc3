"""Request bodies are limited before anything reads them: a 400 MB POST is refused unread."""

from __future__ import annotations

import socket

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.web.bodylimit import BodyLimit
from tests.bot.channels.sms.harness import SmsWorld

HUGE = 400 * 1024 * 1024


def raw_post(port: int, path: str, headers: str, chunks: list[bytes]) -> tuple[bytes, int]:
    """Send a request by hand and return the status line and how many body bytes went out."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
        try:
            for chunk in chunks:
                connection.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and hung up: what we want
        reply = connection.recv(4096)
    return reply.split(b"\r\n", 1)[0], sent


def test_declared_400_mb_unsigned_post_is_413_unread(sms_world: SmsWorld) -> None:
    headers = (
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {HUGE}\r\nConnection: close\r\n"
    )
    status, sent = raw_post(sms_world.service.port, "/sms/twilio", headers, [b"a" * 65536])
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert sent < HUGE


def test_undeclared_chunked_body_is_cut_off_at_the_limit(sms_world: SmsWorld) -> None:
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
    headers = "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
    status, _ = raw_post(sms_world.service.port, "/sms/twilio", headers, [chunk] * 64)
    assert status == b"HTTP/1.1 413 Request Entity Too Large"


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


def limited_app() -> TestClient:
    app = Starlette(routes=[Route("/{path:path}", echo, methods=["POST"])])
    return TestClient(BodyLimit(app, {"/big": 1000, "/big/small": 10}, default=100))


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [("/other", 100, 200), ("/other", 101, 413), ("/big", 1000, 200), ("/big", 1001, 413),
     ("/big/small", 11, 413), ("/big/smaller", 11, 413), ("/big/x", 500, 200)],
)  # fmt: skip
def test_limits_by_longest_prefix(path: str, size: int, status: int) -> None:
    response = limited_app().post(path, content=b"x" * size)
    assert response.status_code == status
    if status == 413:
        assert "request body larger than" in response.json()["error"]


def test_streamed_body_without_length_is_counted() -> None:
    def stream() -> object:
        yield b"x" * 60
        yield b"x" * 60

    response = limited_app().post("/other", content=stream())  # type: ignore[arg-type]
    assert response.status_code == 413
