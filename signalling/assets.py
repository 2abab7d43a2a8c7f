"""The built web client's assets (/assets/...), served by ServeStatic: the build writes each file also
compressed (name.js.br, name.js.gz, see web/vite.config.ts), and ServeStatic sends the smallest one the
browser accepts, with `Vary: Accept-Encoding`, ETag and ranges.

Vite names every asset by a hash of its content, so an asset never changes under its name: browsers and
any cache in between keep it for a year without asking again. The page that names them (index.html) is
served by the app with `no-cache`, so a new build reaches members at their next visit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
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


# The build's manifest (web/vite.config.ts `manifest`): source file -> its hashed chunk.
MANIFEST = Path(".vite") / "manifest.json"
CATALOGUE = re.compile(r"src/locales/([a-z]{2})\.json")


def catalogues(directory: Path) -> dict[str, str]:
    """Each language's text catalogue (a chunk of its own) by language code, as /assets/ paths; none
    without a build."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return {
        found.group(1): f"/{entry['file']}"
        for source, entry in manifest.items()
        if (found := CATALOGUE.fullmatch(source))
    }


def preferred_language(accept_language: str, available: Iterable[str]) -> str | None:
    """The first language of an Accept-Language header (by q, then order) that is available, by its
    primary tag: what the page itself chooses (web/src/catalogues.ts) when the member has not chosen."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and q > 0:
            ranked.append((-q, n, tag.split("-")[0].lower()))
    wanted = set(available)
    return next((tag for _, _, tag in sorted(ranked) if tag in wanted), None)


def page_headers(directory: Path, accept_language: str) -> dict[str, str]:
    """The page's headers: never cached (a new build reaches members at their next visit), and a Link
    that has the browser fetch the member's text catalogue at once, beside the first module, instead of
    after it: on a slow link that is the difference between the join page usable in 3 s or not."""
    headers = {"Cache-Control": "no-cache", "Vary": "Accept-Language"}
    chunks = catalogues(directory)
    language = preferred_language(accept_language, chunks) or ("en" if "en" in chunks else None)
    if language is not None:
        headers["Link"] = f"<{chunks[language]}>; rel=modulepreload; crossorigin"
    return headers
