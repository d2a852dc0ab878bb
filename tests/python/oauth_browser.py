"""A person at a browser for an OAuth sign-in: follows /authorize through the simulated org's
sign-in to the consent page, allows the app, and stops at the redirect back to the app. Used by
the Python OAuth tests and, as a command, by scripts/conformance (`python oauth_browser.py URL
REDIRECT_PREFIX`, which then follows the final redirect so the app receives its code)."""

from __future__ import annotations

import re
import sys
from urllib.parse import urljoin

import httpx2 as httpx

FIELDS = re.compile(r'name="(req|csrf)" value="([^"]+)"')


async def sign_in_and_allow(url: str, redirect_prefix: str) -> tuple[str, str]:
    """Returns (the redirect back to the app with its code, the consent page's HTML or "")."""
    async with httpx.AsyncClient(timeout=20, trust_env=False, follow_redirects=False) as browser:
        response = await browser.get(url)
        while response.status_code in (302, 303):
            target = urljoin(str(response.url), response.headers["location"])
            if target.startswith(redirect_prefix):
                return target, ""
            response = await browser.get(target)
        assert response.status_code == 200, response.text
        fields = dict(FIELDS.findall(response.text))
        allowed = await browser.post(urljoin(str(response.url), "/authorize/consent"),
                                     data={**fields, "decision": "allow"})
        assert allowed.status_code == 303, allowed.text
        return allowed.headers["location"], response.text


async def main(url: str, redirect_prefix: str) -> None:
    back, _ = await sign_in_and_allow(url, redirect_prefix)
    async with httpx.AsyncClient(timeout=20, trust_env=False) as app:
        await app.get(back)


if __name__ == "__main__":
    import anyio

    anyio.run(main, sys.argv[1], sys.argv[2])
