"""What the fake APIs share: a threaded HTTP server on 127.0.0.1 that answers JSON.

Each fake (Twilio's REST API, Telegram's Bot API) keeps only its own routing and state; the
serving, the JSON replies and the quiet logs are here once.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Self, TypeVar

Fake = TypeVar("Fake")


class JsonHandler(BaseHTTPRequestHandler, Generic[Fake]):
    """A handler with ``fake`` bound by ``LoopbackServer``; subclasses write ``do_POST``."""

    fake: Fake

    def body(self) -> str:
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length).decode()

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


class LoopbackServer(Generic[Fake]):
    """Runs ``handler`` for ``fake`` on 127.0.0.1 on a free port until ``stop()``."""

    def __init__(self, fake: Fake, handler: type[JsonHandler[Fake]]) -> None:
        self.fake = fake
        bound = type("Handler", (handler,), {"fake": fake})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        # A long poll still open when a test ends must not keep the process waiting.
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
