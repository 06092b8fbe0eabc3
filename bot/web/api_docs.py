"""The API documentation page, off unless ``CAREVOICE_API_DOCS=on``, and never from a CDN.

FastAPI's default /docs loads Swagger UI from jsDelivr: a blank page offline, and a third party
told about every visit. When turned on, the page here loads Swagger UI from the files bundled
in the ``fastapi-offline`` package, served by this service, under a policy that allows only
this service's own scripts. ``/openapi.json`` is always published (DESIGN.md).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC = "/docs/assets"
# Swagger UI starts itself with one inline script; everything else comes from STATIC.
POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def add_api_docs(app: FastAPI) -> None:
    app.mount(STATIC, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="carevoice API",
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon.png",
        )
        page.headers["Content-Security-Policy"] = POLICY
        return page
