"""Settings of the check benchmark's server: the platform's own, with bench/checks_urls.py as the URL
configuration (the platform's URLs plus one bare endpoint to compare the check API with)."""

from __future__ import annotations

from gongxin.settings import *  # noqa: F403 - the platform's settings, one change

ROOT_URLCONF = "checks_urls"
