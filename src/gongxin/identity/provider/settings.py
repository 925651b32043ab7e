"""Settings of the local OpenID Connect provider's own process (never loaded by the platform)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DIRECTORY = Path(os.environ["GONGXIN_IDP_DIR"])
PEOPLE_FILE = DIRECTORY / "people.json"

DEBUG = False
SECRET_KEY = os.environ.get("GONGXIN_IDP_SECRET_KEY") or secrets.token_urlsafe(48)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ROOT_URLCONF = "gongxin.identity.provider.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [Path(__file__).resolve().parent / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DIRECTORY / "provider.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Tables made straight from the models (``migrate --run-syncdb``), not by replaying every migration: the provider's
# database is a disposable file, made anew at each start, and the start stays under a few seconds.
MIGRATION_MODULES = dict.fromkeys(("auth", "contenttypes", "sessions", "oauth2_provider"))
# scrypt, lighter than Django's default (hashers.py): a real password hash that keeps the start fast.
PASSWORD_HASHERS = ["gongxin.identity.provider.hashers.ProviderScryptPasswordHasher"]
LOGIN_URL = "/accounts/login/"
# Cookies of its own: a browser keeps cookies per host, not per port, and the platform on the same loopback host
# uses Django's default names (its session holds the sign-in's state, which the provider's must not overwrite).
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (DIRECTORY / "signing-key.pem").read_text(encoding="ascii"),
    "PKCE_REQUIRED": True,
    "SCOPES": {"openid": "OpenID Connect", "profile": "Name, identity number and assurance level"},
    "OAUTH2_VALIDATOR_CLASS": "gongxin.identity.provider.claims.ClaimsValidator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ID_TOKEN_EXPIRE_SECONDS": int(os.environ.get("GONGXIN_IDP_ID_TOKEN_SECONDS", "300")),
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
}
