"""Settings from environment variables, with safe defaults for the embedded platform.

Defaults: SQLite in WAL mode under ``GONGXIN_DATA_DIR`` (``./var``), zh-hans first, keys generated once
into the data directory. Production sets ``DATABASE_URL`` (PostgreSQL), ``GONGXIN_SECRET_KEY`` and the
data keys explicitly; see docs/operations.md.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gongxin.core.keys import data_dir_prepare, load_or_create_keys, private_file_ensure

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GONGXIN_DATA_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("GONGXIN_DEBUG", False)
TESTING = _env_bool("GONGXIN_TESTING", False)

KEYS = load_or_create_keys(DATA_DIR, environ=os.environ)
SECRET_KEY = KEYS.secret_key
# AES-256-GCM key for personal data at rest, and a separate HMAC key for lookups by hash.
GONGXIN_DATA_KEY = KEYS.data_key
GONGXIN_DATA_KEY_ID = KEYS.data_key_id
GONGXIN_LOOKUP_KEY = KEYS.lookup_key

# The platform answers only for its own names: the local ones (the demo) and GONGXIN_ALLOWED_HOSTS (a foreign
# Host header gets 400, so links built from the request's host cannot be pointed elsewhere).
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"] + [
    h.strip() for h in os.environ.get("GONGXIN_ALLOWED_HOSTS", "").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GONGXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",  # sign-in throttling and lockout (decision 032)
    "django_otp",  # government users' second factor (decision 060)
    "django_otp.plugins.otp_totp",
    "ninja",  # serves its bundled Swagger UI for /api/v1/docs (no CDN)
    "django_tasks",
    "django_tasks_db",
    "gongxin.core",
    "gongxin.ledger",  # tamper evidence: the Merkle log of record versions (docs/ledger.md)
    "gongxin.accounts",
    "gongxin.catalog",
    "gongxin.subjects",
    "gongxin.records",
    "gongxin.identity",  # unified identity: OpenID Connect sign-in (docs/identity.md)
    "gongxin.access",
    "gongxin.reports",
    "gongxin.ingest",
    "gongxin.notices",
    "gongxin.objections",
    "gongxin.repairs",
    "gongxin.rewards",
    "gongxin.sharing",
    "gongxin.scoring",
    "gongxin.monitoring",
    "gongxin.commitments",
    "gongxin.benefits",
    "gongxin.lending",
    "gongxin.exchange",  # the four-level exchange, GB/T 39443 (docs/exchange.md)
    "gongxin.portal",
    "gongxin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongxin.core.csp.ContentSecurityPolicyMiddleware",
    "gongxin.core.throttle.ClientAddressMiddleware",  # the address limits per address count (core.throttle)
    "gongxin.core.middleware.ApiErrorJsonMiddleware",
    "gongxin.core.middleware.ApiBodyLimitMiddleware",  # API bodies over GONGXIN_API_BODY_MAX_BYTES: 413
    "gongxin.core.middleware.RejectNulMiddleware",
    "gongxin.core.middleware.LocaleMiddleware",  # Django's, without its URL-prefix work (no i18n_patterns here)
    "django.middleware.common.CommonMiddleware",
    # API calls with an API key skip from here to the rejoin point: the browser session's middlewares, which the key
    # makes moot (accounts.middleware, decision 083). Add middlewares every request needs outside the two.
    "gongxin.accounts.middleware.ApiKeyCallMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session's second factor
    "gongxin.accounts.middleware.ActingForMiddleware",  # a firm's agent: the mandate checked on every request
    "gongxin.accounts.middleware.GovernmentSignInGuardMiddleware",  # second factor, idle timeout, re-authentication
    "gongxin.accounts.middleware.ApiKeyCallRejoinMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongxin.core.middleware.GongxinErrorPageMiddleware",
    "gongxin.core.busy.DatabaseBusyMiddleware",  # a locked database is 503 + Retry-After, not 500
    "axes.middleware.AxesMiddleware",  # turns a lockout into the lockout page (accounts.lockout)
]

ROOT_URLCONF = "gongxin.urls"
WSGI_APPLICATION = "gongxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongxin.accounts.context_processors.can",
            ],
        },
    },
]

# HTTPS (GONGXIN_HTTPS=1 in production): redirect http to https, cookies only over https, HSTS for a year
# with subdomains and preload (each can be turned down: GONGXIN_HSTS_SECONDS, _INCLUDE_SUBDOMAINS, _PRELOAD).
# Off by default so that the demo works on http://127.0.0.1:8000. `gongxin check --deploy` is clean with it on.
GONGXIN_HTTPS = _env_bool("GONGXIN_HTTPS", False)
if GONGXIN_HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("GONGXIN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("GONGXIN_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("GONGXIN_HSTS_PRELOAD", True)
    if os.environ.get("GONGXIN_PROXY_COUNT"):  # the proxy terminates TLS and says so
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: gongxin.core.csp.DEFAULT_POLICY (own assets only); a GONGXIN_CSP dict of
# directives here would replace it.

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections in production; none in tests, where the live server's thread would otherwise
    # keep a session open on the test database past its teardown. Ten minutes, not one: each reconnection
    # costs a web process a new PostgreSQL backend, its warm-up and the check path's prepared statements
    # again. No CONN_HEALTH_CHECKS: it costs every request a "SELECT 1" round trip (Django closes a
    # connection that failed anyway, so a server restart costs one failed request per process).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 600)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's own cursors bind on the client and never prepare; the check path's statements are
        # prepared once per connection (core.prepared, decisions 027 and 028), unless prepare_threshold is
        # None: behind a pooler in transaction mode without prepared-statement support, set
        # GONGXIN_DB_PREPARE=0. (The threshold itself only counts for the driver's server-binding cursors.)
        prepare = os.environ.get("GONGXIN_DB_PREPARE", "1") != "0"
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5 if prepare else None
else:
    data_dir_prepare(DATA_DIR)  # 0700, and the database file 0600 (keys and personal data)
    private_file_ensure(DATA_DIR / "gongxin.sqlite3")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "gongxin.sqlite3"),
            "OPTIONS": {
                # WAL lets the web process read while the worker writes; IMMEDIATE avoids the
                # "database is locked" upgrade deadlock of deferred write transactions.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DATABASES["default"].setdefault("TEST", {})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Every password entry point (the login page, the admin's login) goes through authenticate(): axes refuses it
# while the username or the address is locked (decision 032, docs/operations.md "Sign-in lockout").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gongxin.identity.backends.SubjectPasswordsBackend",  # subjects' passwords where allowed (docs/identity.md)
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("GONGXIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("GONGXIN_LOGIN_COOLOFF_MINUTES", "15")))
# Locked per username (whatever the address) and per address (whatever the username).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gongxin.accounts.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS: list[str] = []  # the log names the username and the address (never the password)
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not logged by axes: one write fewer per login
# Behind a reverse proxy the address is the proxy's unless the number of proxies is given: then the
# address is read from X-Forwarded-For, counted from the right (only the proxies can set those entries).
if os.environ.get("GONGXIN_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["GONGXIN_PROXY_COUNT"])
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Browser libraries installed by `make setup` (`npm ci` into the repository's node_modules/, decision 052) are
# served from there as static/vendor/<package>/; never copied into the repository. A checkout without them still
# runs: pages keep the tables the charts are drawn from.
NODE_MODULES = Path(os.environ.get("GONGXIN_NODE_MODULES", BASE_DIR.parent.parent / "node_modules"))
STATICFILES_DIRS = [
    (f"vendor/{package}", NODE_MODULES / package / "dist")
    for package in ("chart.js",) if (NODE_MODULES / package / "dist").is_dir()
]

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GONGXIN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Government users' sign-in (decision 060): any key of accounts.second_factor.POLICY_DEFAULT (idle_minutes,
# reauthentication_minutes, acts) may be overridden here.
GONGXIN_GOVERNMENT_SIGN_IN: dict[str, object] = {}
OTP_TOTP_ISSUER = os.environ.get("GONGXIN_TOTP_ISSUER", "Gongxin")  # the name authenticator apps show
# The jurisdiction whose policy applies by default (Ningbo, Zhejiang). See catalog.Policy.
GONGXIN_JURISDICTION = os.environ.get("GONGXIN_JURISDICTION", "CN-ZJ-NB")
# The platform runs as the demo (`gongxin demo up` sets it): the home page links the demo's "try this" guide.
GONGXIN_DEMO = _env_bool("GONGXIN_DEMO", False)
# The platform's public address (https://credit.example.gov.cn), used in QR codes and report links;
# empty: taken from each request's host.
GONGXIN_PUBLIC_URL = os.environ.get("GONGXIN_PUBLIC_URL", "").rstrip("/")
# Consumers of the event outbox, in the order they run. Each keeps its own cursor.
GONGXIN_OUTBOX_CONSUMERS = [
    "gongxin.records.consumers.ProfileSummaryConsumer",
    # Relations as data: subjects.Relation from the registration-relation records, before the facts read them.
    "gongxin.monitoring.relations.RelationProjection",
    # Scores first: the grade changes they announce reach the facts and the fan-out in the same dispatch.
    "gongxin.scoring.consumers.RescoreConsumer",
    "gongxin.rewards.consumers.SubjectFactsConsumer",
    "gongxin.monitoring.consumers.WatchConsumer",
    # Alerts from association events (a related subject newly listed, a controller change of a listed firm; after
    # the relation projection) and the dashboards' statistics (at most once per GONGXIN_DASHBOARDS_REFRESH_SECONDS).
    "gongxin.monitoring.consumers.AssociationAlertConsumer",
    "gongxin.monitoring.dashboards.DashboardConsumer",
    "gongxin.sharing.consumers.SubscriptionFanout",
    # The home page's figures, recounted at most once per GONGXIN_FIGURES_REFRESH_SECONDS (portal.statistics).
    "gongxin.portal.statistics.FiguresConsumer",
]
# Classes adding entries to each subject's ProfileSummary (records.consumers.SummaryProvider): what each
# disclosure purpose is shown, by kind, so profile pages count nothing per request.
GONGXIN_SUMMARY_PROVIDERS: list[str] = ["gongxin.access.summary.ShownSummary"]
# Which of a page's records have an objection filed and not yet accepted (no mark yet): the subject's own page
# (access.profile, below objections) says "submitted, awaiting acceptance" for them.
GONGXIN_OBJECTIONS_AWAITING = "gongxin.objections.selectors.records_awaiting_acceptance"
# The assurance level a legal representative's sign-in needs to authorize a firm's agents (identity, above accounts).
GONGXIN_AGENTS_AUTHORIZE_GUARD = "gongxin.identity.assurance.agents_authorize_assured"
GONGXIN_FIGURES_REFRESH_SECONDS = float(os.environ.get("GONGXIN_FIGURES_REFRESH_SECONDS", "0" if TESTING else "60"))
# The credit brain's dashboards are recounted after events at most this often (monitoring.dashboards, decision 073).
GONGXIN_DASHBOARDS_REFRESH_SECONDS = float(os.environ.get("GONGXIN_DASHBOARDS_REFRESH_SECONDS", "300"))
# Classes adding facts to each subject's facts row for measures' triggers (docs/rewards.md).
GONGXIN_FACT_PROVIDERS: list[str] = [
    "gongxin.scoring.facts.ScoringFacts",  # grade, score, score_level
    "gongxin.commitments.facts.CommitmentFacts",  # commitments_active, commitments_broken, false_commitment
    "gongxin.benefits.facts.BenefitFacts",  # benefit_defaults_12m
    "gongxin.lending.facts.LendingFacts",  # loan_defaults_24m
    # legal_rep_of_judgment_debtor, controller_of_judgment_debtor, legal_rep_of_serious_dishonesty,
    # founded_while_listed: a firm's listing followed to its people, each hit naming the path (decision 071)
    "gongxin.rewards.related.RelatedFacts",
]
GONGXIN_API_DEFAULT_RATE_LIMIT = int(os.environ.get("GONGXIN_API_DEFAULT_RATE_LIMIT", "600"))
# Throttles (core.throttle): "count/seconds" per rate name, from GONGXIN_THROTTLE_<NAME>, the last dot of
# the name as an underscore (GONGXIN_THROTTLE_RIN_LOOKUP_CALLER=120/3600); unset: core.throttle's defaults.
GONGXIN_THROTTLE_RATES = {
    ".".join(_key[len("GONGXIN_THROTTLE_"):].lower().rsplit("_", 1)): _value
    for _key, _value in os.environ.items() if _key.startswith("GONGXIN_THROTTLE_") and _value.strip()
}
# Trusted reverse proxies in front of the platform: the client address is then read from X-Forwarded-For
# (the entry the nearest proxies added), for throttles per address and for the sign-in lockout.
GONGXIN_PROXY_COUNT = int(os.environ.get("GONGXIN_PROXY_COUNT", "0") or 0)
# Webhook sending (gongxin.sharing.delivery reads these; unset means its defaults).
for _name in ("TIMEOUT_SECONDS", "BACKOFF_BASE_SECONDS", "BACKOFF_MAX_SECONDS", "JITTER", "FAILING_AFTER"):
    if f"GONGXIN_SHARING_{_name}" in os.environ:
        globals()[f"GONGXIN_SHARING_{_name}"] = float(os.environ[f"GONGXIN_SHARING_{_name}"])
# Webhooks reach public addresses only (sharing.egress); a city's internal receivers are allowed here:
# CIDRs (10.20.0.0/16) or host names (hooks.nb.gov.cn, or .nb.gov.cn for a domain), comma-separated.
GONGXIN_WEBHOOK_ALLOWED_NETWORKS = [
    n.strip() for n in os.environ.get("GONGXIN_WEBHOOK_ALLOWED_NETWORKS", "").split(",") if n.strip()
]
# A process keeps an API key's client this long: disabling a client bites within it (0: read every call).
GONGXIN_API_CLIENT_CACHE_SECONDS = float(os.environ.get("GONGXIN_API_CLIENT_CACHE_SECONDS", "0" if TESTING else "10"))
# A process reads the stored holiday arrangements again after this long (core.workdays): a year entered in
# another process counts within it. Tests refresh only on their own writes, so query counts stay stable.
GONGXIN_CALENDAR_REFRESH_SECONDS = float(os.environ.get("GONGXIN_CALENDAR_REFRESH_SECONDS",
                                                        "inf" if TESTING else "300"))

# Ingest reads and checks large files in a forked process while the main one writes (ingest.load).
GONGXIN_INGEST_READER_PROCESS = _env_bool("GONGXIN_INGEST_READER_PROCESS", True)
# Ingest checks the rows of a chunk column by column (ingest.columnar, decision 074); off: row by row only.
GONGXIN_INGEST_COLUMNAR = _env_bool("GONGXIN_INGEST_COLUMNAR", True)
# A full snapshot's rows whose source-row fingerprint the records hold are presumed unchanged and verified, not checked
# again (ingest.fingerprint, decision 084); off: every row is checked (fingerprints are still kept).
GONGXIN_INGEST_FINGERPRINTS = _env_bool("GONGXIN_INGEST_FINGERPRINTS", True)
# Limits of one ingest file (docs/ingest.md "Limits"): an upload larger than MAX_UPLOAD_BYTES is refused; a batch
# holds at most MAX_ROWS rows; a cell holds at most MAX_CELL_CHARS characters (Excel's own limit; a longer one
# rejects its row); reading stops after MAX_EMPTY_ROWS empty rows in a row; an .xlsx is refused unopened when
# its parts would unpack to more than XLSX_MAX_UNCOMPRESSED_BYTES or one is compressed more than XLSX_MAX_RATIO:1.
GONGXIN_INGEST_MAX_UPLOAD_BYTES = int(os.environ.get("GONGXIN_INGEST_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)))
GONGXIN_INGEST_MAX_ROWS = int(os.environ.get("GONGXIN_INGEST_MAX_ROWS", "5000000"))
GONGXIN_INGEST_MAX_CELL_CHARS = int(os.environ.get("GONGXIN_INGEST_MAX_CELL_CHARS", "32767"))
GONGXIN_INGEST_MAX_EMPTY_ROWS = int(os.environ.get("GONGXIN_INGEST_MAX_EMPTY_ROWS", "1000"))
GONGXIN_INGEST_XLSX_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("GONGXIN_INGEST_XLSX_MAX_UNCOMPRESSED_BYTES",
                                                                str(1024 * 1024 * 1024)))
GONGXIN_INGEST_XLSX_MAX_RATIO = int(os.environ.get("GONGXIN_INGEST_XLSX_MAX_RATIO", "100"))

EMAIL_BACKEND = os.environ.get("GONGXIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("GONGXIN_FROM_EMAIL", "gongxin@localhost")

# Uploaded files (ingest batches, objection and repair evidence). Never served as static media: each app
# serves its files through a view that checks who is asking.
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"
# Batch files and evidence may be large; Django streams uploads above this to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Stored uploads are readable by the platform's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 * 1024
# The largest API request body (JSON) read at all; larger ones get 413 before being read
# (core.middleware.ApiBodyLimitMiddleware). Multipart uploads have their own limits.
GONGXIN_API_BODY_MAX_BYTES = int(os.environ.get("GONGXIN_API_BODY_MAX_BYTES", str(32 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGXIN_LOG_LEVEL", "WARNING")},
}

# Signing (core.signing): credit reports and check certificates. The Ed25519 private key comes with the
# other keys (GONGXIN_SIGNING_KEY or keys.json). Public keys of retired signing keys (base64 of the raw
# 32 bytes, comma-separated) stay published so that documents signed before a rotation keep verifying.
GONGXIN_SIGNING_KEY = KEYS.signing_key
GONGXIN_SIGNING_RETIRED_PUBLIC_KEYS = [
    k.strip() for k in os.environ.get("GONGXIN_SIGNING_RETIRED_PUBLIC_KEYS", "").split(",") if k.strip()
]
# Who issues signed documents, and the public address their QR codes point to (it is signed with them,
# so it comes from configuration, never from a request's Host header). Unset outside debugging and the tests,
# no report or certificate is issued (core.documents.verify_base_url; `gongxin check --deploy` says so);
# `gongxin demo up` sets it to the address it serves.
GONGXIN_SIGNING_ISSUER = os.environ.get("GONGXIN_SIGNING_ISSUER", "宁波市公共信用信息平台")
GONGXIN_SIGNING_VERIFY_BASE_URL = (
    os.environ.get("GONGXIN_SIGNING_VERIFY_BASE_URL") or os.environ.get("GONGXIN_PUBLIC_URL")
    or ("http://127.0.0.1:8000" if DEBUG or TESTING else "")
).rstrip("/")

# The tamper-evident log's checkpoints and witnesses (gongxin.ledger; decisions 064, 065). ORIGIN names the log
# (its checkpoints' first line and key name; empty: gongxin/<jurisdiction>); a checkpoint is signed at most every
# CHECKPOINT_SECONDS while the log grows. WITNESSES: the cosigner vkeys (type 0x04) whose cosignatures this log
# accepts and publishes, comma-separated. WITNESSED_LOGS: the logs this platform witnesses, a JSON list of
# {"url": base URL, "vkeys": [the log's vkeys]}; WITNESS_NAME: its cosignatures' key name (empty: <origin>/witness);
# PEER_CLIENT: the class that reaches a witnessed log (ledger.peers).
GONGXIN_LEDGER_ORIGIN = os.environ.get("GONGXIN_LEDGER_ORIGIN", "")
GONGXIN_LEDGER_CHECKPOINT_SECONDS = float(os.environ.get("GONGXIN_LEDGER_CHECKPOINT_SECONDS", "300"))
GONGXIN_LEDGER_WITNESSES = [v.strip() for v in os.environ.get("GONGXIN_LEDGER_WITNESSES", "").split(",") if v.strip()]
GONGXIN_LEDGER_WITNESSED_LOGS = json.loads(os.environ.get("GONGXIN_LEDGER_WITNESSED_LOGS", "[]"))
GONGXIN_LEDGER_WITNESS_NAME = os.environ.get("GONGXIN_LEDGER_WITNESS_NAME", "")
GONGXIN_LEDGER_PEER_CLIENT = os.environ.get("GONGXIN_LEDGER_PEER_CLIENT", "gongxin.ledger.peers.HttpLogPeer")
