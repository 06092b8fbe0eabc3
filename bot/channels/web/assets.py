"""The web form's stylesheet: govuk-frontend's built CSS without the GOV.UK brand.

Councils and forums may use the Design System's patterns but not gov.uk's identity, so the GDS
Transport font faces (licensed for gov.uk only) and the crown are taken out and the font falls back
to Arial. The result is committed under ``static/`` (MIT licence, see the licence file there) so
that ``pip install`` alone gives a working form; ``make web-css`` rebuilds it from
``node_modules`` after ``npm ci`` when the pinned version changes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

STATIC = Path(__file__).parent / "static"
BUILT = Path("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css")
TARGET = STATIC / "govuk-frontend.min.css"
FILES = {
    "govuk-frontend.min.css": "text/css",
    "form.css": "text/css",
    "LICENSE-govuk-frontend.txt": "text/plain",
}

_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
_TRANSPORT = re.compile(r"GDS Transport,?")
_CREST = re.compile(r"url\(/assets/images/govuk-crest\.svg\)")


def unbranded(css: str) -> str:
    """govuk-frontend's CSS with no Transport font and no crown, asking for nothing else."""
    css = _FONT_FACE.sub("", css)
    css = _TRANSPORT.sub("", css).replace("font-family:;", "font-family:arial,sans-serif;")
    css = css.replace("font-family:}", "font-family:arial,sans-serif}")
    return _CREST.sub("none", css)


def main(root: Path = Path()) -> int:
    source = root / BUILT
    if not source.is_file():
        print(f"{source} is missing: run `npm ci` first", file=sys.stderr)
        return 1
    TARGET.write_text(unbranded(source.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
