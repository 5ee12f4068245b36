"""Django settings for Saferplan.

One module, configured from the environment. SAFERPLAN_ENV picks the profile:
- ``demo``: the local demo (SQLite under var/, DEBUG on, plain HTTP, email to the console);
- ``test``: the test suite (fast hashing, email in memory);
- ``production`` (default): DEBUG off, HTTPS only, every secret from the environment.

Configuration fails closed: an unknown profile, or production without its secret key, allowed
hosts or PostgreSQL database, stops the process with one line naming what to set (see
``refuse``), whichever entry point loaded the settings (manage.py, gunicorn, ``saferplan``).
"""
from __future__ import annotations

import ipaddress
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SAFERPLAN_VAR_DIR", BASE_DIR / "var"))
DATA_DIR = Path(os.environ.get("SAFERPLAN_DATA_DIR", BASE_DIR.parent / "shared" / "data"))
DUCKDB_PATH = Path(os.environ.get("SAFERPLAN_DUCKDB", VAR_DIR / "saferplan.duckdb"))

PROFILES = ("production", "demo", "test")
# sysexits.h EX_CONFIG: also what service managers show for a configuration error.
EXIT_CONFIGURATION = 78


def refuse(message: str) -> None:
    """Stop with one line saying what to set: a settings traceback tells an operator nothing,
    and running on with a guessed value (a built-in key, SQLite, no HTTPS) is worse."""
    print(f"Saferplan cannot start: {message}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIGURATION)


def whole_number(variable: str, default: int, meaning: str) -> int:
    raw = os.environ.get(variable, str(default)).strip()
    if not raw.isdigit():
        refuse(f"{variable}={raw!r} is not a whole number; set it to {meaning}.")
    return int(raw)


def switch(variable: str, default: bool) -> bool:
    # Only 0 or 1: a switch that read "true" or "yes" as off could turn off TLS unnoticed.
    raw = os.environ.get(variable, "1" if default else "0").strip()
    if raw not in ("0", "1"):
        refuse(f"{variable}={raw!r} is not a switch; set it to 1 (on) or 0 (off).")
    return raw == "1"


ENV = os.environ.get("SAFERPLAN_ENV", "production")
if ENV not in PROFILES:
    refuse(f"SAFERPLAN_ENV={ENV!r} is not a profile; set SAFERPLAN_ENV to one of {', '.join(PROFILES)}.")
PRODUCTION = ENV == "production"
DEMO = ENV == "demo"
TESTING = ENV == "test"
DEBUG = DEMO
PRODUCTION_HINT = " (SAFERPLAN_ENV=demo runs the local demo instead)"


def _is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if not SECRET_KEY:
        refuse("DJANGO_SECRET_KEY is not set; set it to a random string of at least 50 characters"
               + PRODUCTION_HINT + ".")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        refuse("DJANGO_SECRET_KEY is too short or too simple; use a random string of at least 50 characters.")
    ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not ALLOWED_HOSTS:
        refuse("DJANGO_ALLOWED_HOSTS is not set; set it to the site's host names, comma-separated"
               " (e.g. csp.example.org)" + PRODUCTION_HINT + ".")
    if "*" in ALLOWED_HOSTS:
        refuse("DJANGO_ALLOWED_HOSTS must name the site's hosts, not '*'.")
    # Plain HTTP is only for running the production stack on this machine (`make serve`).
    ALLOW_HTTP = switch("SAFERPLAN_ALLOW_HTTP", False)
    if ALLOW_HTTP and not all(_is_loopback(h) for h in ALLOWED_HOSTS):
        refuse("SAFERPLAN_ALLOW_HTTP=1 is only allowed when DJANGO_ALLOWED_HOSTS names loopback hosts"
               " (127.0.0.1, localhost, ::1); unset it to serve over HTTPS.")
else:
    # Only ever a local demo or a test run: never served to anyone else.
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "saferplan-local-only-" + "x" * 40)
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]
    ALLOW_HTTP = True


# How many proxies in front of the web processes append to X-Forwarded-For: the client's
# address is the Nth from the right (saferplan.ops.client). 0 trusts no header at all.
TRUSTED_PROXIES = whole_number(
    "SAFERPLAN_TRUSTED_PROXIES", 0, "how many proxies (load balancers) stand in front of Saferplan, or 0 for none")
CONN_MAX_AGE = whole_number("DATABASE_CONN_MAX_AGE", 0, "how many seconds a database connection may be reused")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "saferplan.partnership",
    "saferplan.assessment",
    "saferplan.consultation",
    "saferplan.planning",
    "saferplan.delivery",
    "saferplan.operator",
    "saferplan.ops",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz before host checks and the HTTPS redirect, which a
    # load balancer's probe (by IP, over plain HTTP inside the network) would fail.
    "saferplan.ops.health.HealthCheckMiddleware",
    "saferplan.ops.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "saferplan.core.downloads.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "saferplan.partnership.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "saferplan.urls"
WSGI_APPLICATION = "saferplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "saferplan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saferplan.partnership.context.navigation",
            ],
            "builtins": ["saferplan.templatetags.govuk", "saferplan.templatetags.access"],
        },
    },
    # The resident's consultation journey only (docs/adr/0025-jinja2-for-the-resident-journey.md):
    # PublicSurveyView renders with using="jinja2"; its templates' names are found by this engine alone.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "saferplan" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "saferplan.core.jinja.environment",
            # What the layout reads beyond the backend's request, csrf_input and csrf_token.
            "context_processors": ["django.contrib.messages.context_processors.messages"],
        },
    },
]

if PRODUCTION:
    if not os.environ.get("DATABASE_URL"):
        refuse("DATABASE_URL is not set; set it to the PostgreSQL database,"
               " e.g. postgres://USER:PASSWORD@HOST:5432/saferplan" + PRODUCTION_HINT + ".")
    try:
        # A kept connection is checked before each request's first query, so a database restart
        # or failover costs one reconnection, not a failed request.
        _database = dj_database_url.config(conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_MAX_AGE > 0)
    except (ValueError, KeyError) as exc:
        refuse(f"DATABASE_URL is not a database address ({type(exc).__name__}); use postgres://USER:PASSWORD@HOST:5432/NAME.")
    if not _database.get("ENGINE", "").endswith("postgresql"):
        refuse("DATABASE_URL must be a PostgreSQL database (postgres://...): production keeps every"
               " partnership's data and the shared counters in PostgreSQL.")
else:
    _database = dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'saferplan.sqlite3'}",
        conn_max_age=CONN_MAX_AGE,
    )
if _database.get("ENGINE", "").endswith("postgresql"):
    # Django's backend, with a kept connection checked without a round trip and the public pages'
    # few statements prepared on the server (saferplan/ops/postgresql); the tests run it too.
    _database["ENGINE"] = "saferplan.ops.postgresql"
if _database.get("ENGINE", "").endswith("sqlite3"):
    # The demo's database, written by several threads of runserver and by the job worker: a
    # transaction takes the write lock when it begins (a double click on "Send" waits its turn
    # instead of failing on a lock it could not upgrade), and a writer waits up to 20 s.
    _database.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partnership.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Lockout: five wrong passwords for one account, or from one address, lock it for 15 minutes,
# so neither spreading guesses across addresses nor across accounts helps.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "saferplan.partnership.signin.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "saferplan.ops.client.client_address"
RATELIMIT_IP_META_KEY = "saferplan.ops.client.client_address"

OTP_TOTP_ISSUER = "Saferplan"
OTP_TOTP_THROTTLE_FACTOR = 1

# In the database, like everything shared between web processes; saved in one statement (see
# saferplan/ops/sessions.py): the public form saves the session on every answer.
SESSION_ENGINE = "saferplan.ops.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION and not ALLOW_HTTP:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if PRODUCTION and TRUSTED_PROXIES:
    # Only a proxy we trust may say the request came over HTTPS; without one a client could.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
# Welsh only on the public pages of partnerships that offer it (saferplan/consultation/languages.py):
# no LocaleMiddleware, so staff pages stay in English whatever the browser asks (docs/adr, Welsh).
LANGUAGES = [("en", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "saferplan" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = not PRODUCTION

DEFAULT_FROM_EMAIL = os.environ.get("SAFERPLAN_FROM_EMAIL", "Saferplan <no-reply@saferplan.invalid>")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif DEMO:
    # The demo prints every email (invitations, password resets) in the terminal running it.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = whole_number("EMAIL_PORT", 25, "the mail relay's port, e.g. 587")
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = switch("EMAIL_USE_TLS", True)

# Who a suspended partnership's staff are told to contact (the team running this site), e.g. an
# email address. Empty: the page tells them to ask the team that runs Saferplan for their council.
OPERATOR_CONTACT = os.environ.get("SAFERPLAN_OPERATOR_CONTACT", "").strip()
# The site's own address (https://saferplan.example.gov.uk), for links printed by commands and
# put in emails sent without a request. Empty: such links are paths on the site.
SAFERPLAN_SITE_URL = os.environ.get("SAFERPLAN_SITE_URL", "").strip()

# Rate limits, lockout counters and cached results are shared by every web process (and
# survive restarts): a per-process memory cache would give each process its own count.
# The table is made by `migrate` (saferplan.ops creates it after migrating).
CACHE_TABLE = "saferplan_cache"
# Long work (imports) runs as tasks: queued in the ORM database and run by the job worker
# (`manage.py db_worker`), the only process that writes the DuckDB store. Tests run each task at
# once, inside the call that enqueues it, so that they need no worker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend" if TESTING
        else "django_tasks_db.DatabaseBackend",
    }
}

CACHES = {
    "default": {
        "BACKEND": "saferplan.ops.cache.SharedDatabaseCache",
        "LOCATION": CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "saferplan.ops.requestlog.RequestContextFilter"}},
    "formatters": {
        # Production logs are JSON lines, one event a line, for the log collector to index.
        "json": {"()": "saferplan.ops.requestlog.JSONFormatter"},
        "plain": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": "json" if PRODUCTION else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "saferplan.requests": {"level": "INFO" if PRODUCTION else "WARNING"},
        "saferplan.ops": {"level": "INFO"},
    },
}
