"""Security headers on every response the service sends, whatever route made it.

The dashboard's pages already set a strict policy of their own (bot/web/pages.py); this adds
the same protections to everything else (health checks, webhooks, the OpenAPI schema, 413s
from the body limit), without overriding a header a route chose. HSTS is sent only when the
public URL is https: browsers ignore it over http, and sending it from a plain-http test server
would say nothing true. No response is cacheable: they may hold health information.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000; includeSubDomains"
BASE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        headers = {**BASE, **({"Strict-Transport-Security": HSTS} if https else {})}
        # As ASGI carries them (lower-case names, bytes), built once: every response gets them.
        self.raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                chosen = {name.lower() for name, _ in raw}
                raw.extend(header for header in self.raw if header[0] not in chosen)
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, with_headers)
