"""What every page of the web form shares: the organisation's brand, the reader's language and
print size, the session (for CSRF) and the submission limit.

Language and print size are display preferences kept in a cookie, so they hold for the rest of the
survey and on every page (the conversation keeps the language it began in; only the wording shown
changes). They are switched by plain links (``?lang=cy``, ``?print=large``), which work without
JavaScript; the address is then cleaned of the query so it can still be copied to come back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from bot.config.settings import Settings
from bot.web.pages import PageError, environment
from bot.web.ratelimit import Limits, SignInLimiter
from bot.web.sessions import SessionData, SessionStore, session_secret, timeouts_of

if TYPE_CHECKING:
    from bot.config.wiring import Services

PACKAGE = "bot.channels.web"
PREFS = "carevoice_form_prefs"
PREFS_AGE = 90 * 24 * 60 * 60
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
LANGUAGE_NAMES = {
    "en": "English", "en-easy": "Easy read", "cy": "Cymraeg", "pl": "Polski", "ur": "اردو",
    "pa": "ਪੰਜਾਬੀ", "bn": "বাংলা", "gu": "ગુજરાતી", "ro": "Română", "ar": "العربية",
    "so": "Soomaali", "pt": "Português", "es": "Español", "fr": "Français",
}  # fmt: skip
RIGHT_TO_LEFT = frozenset({"ar", "ur", "fa", "he"})


def now() -> datetime:
    return datetime.now(UTC)


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@dataclass(frozen=True)
class Brand:
    name: str
    colour: str
    text: str  # white or black, whichever reads better on ``colour`` (WCAG contrast)

    @classmethod
    def of(cls, settings: Settings) -> Brand:
        lum = _luminance(settings.web_colour)
        on_white, on_black = 1.05 / (lum + 0.05), (lum + 0.05) / 0.05
        return cls(settings.web_organisation, settings.web_colour,
                   "#ffffff" if on_white >= on_black else "#0b0c0c")  # fmt: skip


@dataclass(frozen=True)
class Prefs:
    language: str | None = None
    large: bool = False

    @classmethod
    def of(cls, request: Request) -> Prefs:
        raw = request.cookies.get(PREFS, "")
        language, _, size = raw.partition("|")
        return cls(language if LANGUAGE.match(language) else None, size == "large")

    def value(self) -> str:
        return f"{self.language or ''}|{'large' if self.large else 'standard'}"


def html_lang(language: str) -> str:
    """A valid ``lang`` attribute: easy-read English is English to a screen reader."""
    return "en" if language == "en-easy" else language


@dataclass
class Form:
    services: Services
    store: SessionStore
    limiter: SignInLimiter
    brand: Brand

    @classmethod
    def build(cls, services: Services) -> Form:
        settings = services.settings
        secure = settings.public_url.startswith("https://")
        store = SessionStore(
            services.engine, session_secret(settings), secure, timeouts_of(settings)
        )
        limits = Limits(
            per_email=settings.web_submissions_per_client,
            per_client=settings.web_submissions_per_client,
            window=timedelta(minutes=15),
            first_delay=timedelta(seconds=30),
            max_delay=timedelta(minutes=15),
            max_client_delay=timedelta(minutes=15),
        )
        form = cls(services, store, SignInLimiter(services.engine, store.keyed, limits),
                   Brand.of(settings))  # fmt: skip
        environment(PACKAGE).globals.update(brand=form.brand, privacy_url="/f/privacy")
        return form

    def switched(self, request: Request) -> Response | None:
        """A language or print-size link: remember the choice, show the same page without it."""
        lang, size = request.query_params.get("lang"), request.query_params.get("print")
        if lang is None and size is None:
            return None
        prefs = Prefs.of(request)
        if lang is not None and LANGUAGE.match(lang):
            prefs = Prefs(lang, prefs.large)
        if size in {"large", "standard"}:
            prefs = Prefs(prefs.language, size == "large")
        response = Response(status_code=303, headers={"Location": request.url.path})
        self._remember(response, prefs)
        return response

    def _remember(self, response: Response, prefs: Prefs) -> None:
        response.set_cookie(PREFS, prefs.value(), max_age=PREFS_AGE, path="/",
                            secure=self.store.secure, httponly=True, samesite="lax")  # fmt: skip

    def limit(self, request: Request) -> None:
        """Count one submission from this client; too many in the window get a 429 page."""
        client = request.client.host if request.client else "unknown"
        label, at = f"web-form:{client}", now()
        if not self.limiter.attempt(label, client, at).allowed:
            raise PageError(
                429,
                "Too many answers from your connection",
                "Wait 15 minutes and try again. Your answers so far are saved.",
            )

    def show(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        *,
        languages: tuple[str, ...] = (),
        language: str = "en",
        status: int = 200,
        session: SessionData | None = None,
    ) -> HTMLResponse:
        prefs = Prefs.of(request)
        session = session or self.store.load(request, now())
        values = {
            "csrf": session.csrf, "large": prefs.large, "here": request.url.path,
            "lang": html_lang(language), "language": language,
            "dir": "rtl" if language.split("-")[0] in RIGHT_TO_LEFT else "ltr",
            "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in languages],
            "errors": {}, **context,
        }  # fmt: skip
        body = environment(PACKAGE).get_template(template).render(**values)
        response = HTMLResponse(body, status_code=status)
        if session.new:
            self.store.write(response, session)
        return response
