"""Screenshots of the demo city for the documentation: home, staff workbench, an organization's profile and /me/.

    .venv/bin/python tools/screenshots.py                 # writes docs/screenshots/*.png
    .venv/bin/python tools/screenshots.py --out /tmp/shots --organizations 500 --records 5000

It seeds a demo city (``gongxin demo up --no-serve``, default 3,000 organizations, 2,000 persons, 30,000 records)
into a fresh temporary data directory, lets the outbox consumers catch up and counts the home figures, serves it
with ``gongxin runserver --insecure`` on a free port, and drives Debian's Chromium through Playwright (the browser
of the test kit, no download): the home page as a visitor, the workbench as the demo staff (``demo-staff``, who
sets up the second factor on first sign-in as an authenticator app would: the script reads the shown secret), the
public profile of the demo firm, and ``/me/`` as the demo person (``demo-person``), each at 1280 px wide (the home
page and the workbench whole, the two profiles' first 1,400 px), plus the home page at 375 px (a phone). The data
directory is removed afterwards (``--keep`` keeps it). The demo's passwords are the printed, public ones.

The pictures in docs/ were taken with ``--organizations 1500 --persons 1000 --records 15000`` (about two minutes).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GONGXIN = ROOT / ".venv" / "bin" / "gongxin"
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = os.environ.get("GONGXIN_DEMO_PASSWORD", "gongxin-demo")
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
TALL = {"width": 1280, "height": 1400}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--organizations", type=int, default=3_000)
    parser.add_argument("--persons", type=int, default=2_000)
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    return parser.parse_args()


def _gongxin(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run([str(GONGXIN), *args], env=env, check=True, text=True,  # noqa: S603 - our command
                            stdout=subprocess.PIPE if capture else None)
    return result.stdout if capture else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def _demo_firm_uscc(env: dict[str, str]) -> str:
    code = ("from gongxin.accounts.models import User; "
            "print(User.objects.select_related('subject__organization').get(username='demo-org')"
            ".subject.organization.uscc)")
    return _gongxin(env, "shell", "-c", code, capture=True).strip().splitlines()[-1]


def _totp(secret: str, *, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for ``secret`` (RFC 6238: SHA-1, 30-second steps)."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    step = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, step, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def _second_factor(page: object) -> None:
    """A government login (staff) sets up its authenticator app on first sign-in (decision 060): read the secret the
    page shows and answer with its current code, as the app would."""
    secret = page.locator("[data-totp-secret]")  # type: ignore[attr-defined]
    if not secret.count():
        return
    page.fill("input[name=token]", _totp(secret.inner_text()))  # type: ignore[attr-defined]
    page.click("main form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def _shoot(browser: object, base: str, out: Path, name: str, path: str, *, language: str,
           username: str | None = None, viewport: dict[str, int] = WIDE, full_page: bool = True) -> None:
    context = browser.new_context(viewport=viewport, locale=language,  # type: ignore[attr-defined]
                                  extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    if username:
        page.goto(f"{base}/accounts/login/?next={path}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action*=login] button[type=submit]")
        page.wait_for_load_state("networkidle")
        _second_factor(page)
    page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    target = out / f"{name}.png"
    page.screenshot(path=str(target), full_page=full_page)
    print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  {path}")
    context.close()


def main() -> None:
    args = _arguments()
    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is needed (make browser)")
    data = Path(tempfile.mkdtemp(prefix="gongxin-shots-"))
    env = {**os.environ, "GONGXIN_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)  # the demo's own SQLite in the temporary directory
    server = None
    try:
        _gongxin(env, "demo", "up", "--no-serve", "--organizations", str(args.organizations),
                 "--persons", str(args.persons), "--records", str(args.records), "--no-progress")
        _gongxin(env, "outbox", "dispatch")
        _gongxin(env, "figures", "refresh")
        uscc = _demo_firm_uscc(env)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(GONGXIN), "runserver", f"127.0.0.1:{port}", "--insecure", "--noreload"],  # noqa: S603
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(f"{base}/")
        args.out.mkdir(parents=True, exist_ok=True)
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            try:
                _shoot(browser, base, args.out, "home", "/", language=args.language)
                _shoot(browser, base, args.out, "home-phone", "/", language=args.language, viewport=PHONE)
                _shoot(browser, base, args.out, "workbench", "/workbench/", language=args.language,
                       username="demo-staff")
                # Profiles are long (every group of records): their first screen and a half is what they look like.
                _shoot(browser, base, args.out, "profile", f"/org/{uscc}/", language=args.language, viewport=TALL,
                       full_page=False)
                _shoot(browser, base, args.out, "me", "/me/", language=args.language, username="demo-person",
                       viewport=TALL, full_page=False)
            finally:
                browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep:
            print(f"data directory kept: {data}", file=sys.stderr)
        else:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
