"""The built web client's assets (/assets/...), served by ServeStatic: the build writes each file also
compressed (name.js.br, name.js.gz, see web/vite.config.ts), and ServeStatic sends the smallest one the
browser accepts, with `Vary: Accept-Encoding`, ETag and ranges.

Vite names every asset by a hash of its content, so an asset never changes under its name: browsers and
any cache in between keep it for a year without asking again. The page that names them (index.html) is
served by the app with `no-cache`, so a new build reaches members at their next visit."""

from __future__ import annotations

import re
from pathlib import Path
from wsgiref.headers import Headers

from servestatic import ServeStaticASGI  # type: ignore[import-untyped]
from starlette.types import ASGIApp

PREFIX = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
# Vite's default file names for the build's output: name-HASH.ext, the hash 8 characters of base64url.
HASHED = re.compile(r"-[A-Za-z0-9_-]{8}\.\w+$")


def cache_control(headers: Headers, path: str, url: str) -> None:
    # Anything not named by its content (nothing the build writes today) is checked at every use.
    headers["Cache-Control"] = IMMUTABLE if HASHED.search(url) else "no-cache"


def with_assets(app: ASGIApp, directory: Path) -> ASGIApp:
    """`app` with the files in `directory` answered at /assets/; other paths, and assets that do not
    exist, go on to `app`. The files are listed once, here: a new build is served after a restart."""
    served = ServeStaticASGI(
        app,
        allow_all_origins=False,
        add_headers_function=cache_control,
    )
    # Without a build the pages answer 503 and say so (signalling/app.py).
    if directory.is_dir():
        served.add_files(directory, PREFIX)
    return served  # type: ignore[no-any-return]
