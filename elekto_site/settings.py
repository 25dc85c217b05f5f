"""Settings for the Elekto site, read from the environment (and an optional ``.env`` file).

Every variable is documented in ``.env.example``. A value that cannot be parsed does not raise here:
it is recorded in ``CONFIG_ERRORS`` and reported by the system checks in ``elekto_site/checks.py``
with a stable id, so a misconfigured site says what is wrong when it starts.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# (variable name, message) pairs for values that could not be parsed; see elekto_site.checks.
CONFIG_ERRORS = []

# Secret keys that are published (in .env.example or in this file) and so are no secret at all.
KNOWN_INSECURE_SECRET_KEYS = {
    "",
    "change-me",
    "changeme",
    "secret",
    "django-insecure-development-only-key",
}
DEV_SECRET_KEY = "django-insecure-development-only-key"


def _read(name, cast, default):
    """Read one variable; on a malformed value record the problem and fall back to the default."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, environ.ImproperlyConfigured) as exc:
        CONFIG_ERRORS.append((name, f"{name}={env.str(name, default='')!r} is not valid: {exc}"))
        return default


DEBUG = _read("DEBUG", env.bool, False)
SECRET_KEY = _read("SECRET_KEY", env.str, "") or (DEV_SECRET_KEY if DEBUG else "")
# A missing key fails the checks (elekto.E001), so the site does not serve; commands that skip the checks
# (makemigrations, say) get a throw-away random key rather than a published one.
SECRET_KEY_IS_INSECURE = SECRET_KEY in KNOWN_INSECURE_SECRET_KEYS
if not SECRET_KEY:
    import secrets

    SECRET_KEY = secrets.token_urlsafe(50)
ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])
# The site's name in page titles, the header and the officers' admin (Elekto's APP_NAME).
APP_NAME = _read("APP_NAME", env.str, "Elekto").strip() or "Elekto"

# The development login: anyone may sign in as any GitHub login. Only with DEBUG on (checked: elekto.E002).
ELEKTO_DEV_LOGIN = _read("ELEKTO_DEV_LOGIN", env.bool, False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "social_django",
    "elekto_site",
    "accounts",
    "elections",
    "meta_sync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "elekto_site.middleware.RequestLogMiddleware",
    "elekto_site.middleware.SecurityHeadersMiddleware",
    "elekto_site.middleware.NulCharacterMiddleware",
    # A POST to a process of a release older than the database's schema: refused with a 503 page before the view.
    "elekto_site.middleware.SchemaGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the visitor's choice (a cookie set by the switcher), else the browser's
    # Accept-Language, else English. Before CommonMiddleware, as Django asks; public pages cached for
    # visitors keep their parts per language (elections.voting.listing).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Every page with or without its trailing slash: a GET of the other spelling is redirected, a POST served.
    "elekto_site.middleware.TrailingSlashMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A renamed election's old links: a 404 under a former key redirects to the current key.
    "meta_sync.middleware.ElectionAliasRedirectMiddleware",
    # With DEBUG on, the site's 404 page instead of Django's list of URL patterns.
    "elekto_site.middleware.NotFoundPageMiddleware",
    # A cancelled, forged or failed GitHub sign-in: back to the sign-in page with a message, not a 500.
    "social_django.middleware.SocialAuthExceptionMiddleware",
]

ROOT_URLCONF = "elekto_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "elekto_site.context_processors.site",
                "elections.access.officer_links",
            ],
        },
    },
]

WSGI_APPLICATION = "elekto_site.wsgi.application"

# Database: SQLite under var/ by default; mysql://user:pass@host:port/name or postgres://user:pass@host:port/name
# for production.
DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASE_URL = _read("DATABASE_URL", env.str, DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL
try:
    _database = environ.Env.db_url_config(DATABASE_URL)
except (environ.ImproperlyConfigured, ValueError, KeyError) as exc:
    CONFIG_ERRORS.append(("DATABASE_URL", f"DATABASE_URL cannot be used: {exc}"))
    _database = environ.Env.db_url_config(DEFAULT_DATABASE_URL)
# Only SQLite, MySQL/MariaDB and PostgreSQL are supported; another engine is reported by check elekto.E003 (the
# site then falls back to the default SQLite file so that the check, not an import error, is what the operator
# sees).
SUPPORTED_DATABASE_ENGINES = (
    "django.db.backends.sqlite3",
    "django.db.backends.mysql",
    "django.db.backends.postgresql",
)
UNSUPPORTED_DATABASE_ENGINE = None
if _database["ENGINE"] not in SUPPORTED_DATABASE_ENGINES:
    UNSUPPORTED_DATABASE_ENGINE = _database["ENGINE"]
    _database = environ.Env.db_url_config(DEFAULT_DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.mysql":
    _database.setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            "isolation_level": "read committed",
        }
    )
    _database["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif _database["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3. READ COMMITTED (PostgreSQL's default) is set explicitly, as on MySQL, so the site behaves the
    # same whatever the server's default_transaction_isolation.
    from psycopg import IsolationLevel

    _database.setdefault("OPTIONS", {}).update({"isolation_level": IsolationLevel.READ_COMMITTED})
elif _database["ENGINE"] == "django.db.backends.sqlite3":
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
_database["CONN_MAX_AGE"] = _read("CONN_MAX_AGE", env.int, 60)
_database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "accounts.backends.GitHubOAuth2",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "elections:dashboard"
LOGOUT_REDIRECT_URL = "elections:public_list"

# GitHub sign-in (social-auth-app-django). An account is GitHub's numeric user id; its username is the login
# GitHub reports at each sign-in (accounts.services); the access token is not kept.
SOCIAL_AUTH_GITHUB_KEY = _read("GITHUB_CLIENT_ID", env.str, "")
SOCIAL_AUTH_GITHUB_SECRET = _read("GITHUB_CLIENT_SECRET", env.str, "")
SOCIAL_AUTH_GITHUB_SCOPE = []
# The callback path registered in the GitHub OAuth app (Elekto's variable): /oauth/complete/github/, or Elekto's
# /oauth/github/callback for an OAuth app carried over from Elekto. Both complete sign-in.
GITHUB_REDIRECT = _read("GITHUB_REDIRECT", env.str, "") or "/oauth/complete/github/"
if GITHUB_REDIRECT not in ("/oauth/complete/github/", "/oauth/github/callback"):
    CONFIG_ERRORS.append(("GITHUB_REDIRECT", f"GITHUB_REDIRECT={GITHUB_REDIRECT!r} is not valid: use "
                                             "/oauth/complete/github/ or /oauth/github/callback"))
    GITHUB_REDIRECT = "/oauth/complete/github/"
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_JSONFIELD_ENABLED = True
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/app"
SOCIAL_AUTH_SANITIZE_REDIRECTS = True
SOCIAL_AUTH_LOGIN_ERROR_URL = "/login"
SOCIAL_AUTH_REDIRECT_IS_HTTPS = _read("SOCIAL_AUTH_REDIRECT_IS_HTTPS", env.bool, not DEBUG)

# Internationalization: every voter and officer page in these languages (catalogues under locale/, compiled
# .mo files committed next to them); what the meta repository says (names, bios, descriptions, results.md)
# stays as written. Dates and numbers follow the page's language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("zh-hans", "Simplified Chinese"),
    ("ja", "Japanese"),
    ("pt-br", "Portuguese (Brazil)"),
    ("de", "German"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = _read("TIME_ZONE", env.str, "UTC")
USE_I18N = True
USE_TZ = True

# Static files, served by whitenoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The meta repository: the single source of truth for elections, voter rolls and candidates.
META_REPO = _read("META_REPO", env.str, "")
META_BRANCH = _read("META_BRANCH", env.str, "main")
# A relative META_PATH is taken from the project folder.
META_PATH = BASE_DIR / (_read("META_PATH", env.str, "") or "var/meta")
ELECTION_DIR = _read("ELECTION_DIR", env.str, "elections")
META_SECRET = _read("META_SECRET", env.str, "")

# Ballot secrecy.
MIN_PASSPHRASE_LENGTH = _read("MIN_PASSPHRASE_LENGTH", env.int, 12)
# Argon2id cost of deriving the key that encrypts the voter-to-ballot link. The default, 19 MiB and two passes,
# is one of OWASP's recommended Argon2id settings: about 20 ms a derivation on one core, so that two cores
# cast more than 20 ballots a second with room to spare (BENCHMARKS.md compares the other costs). The check
# elekto.E006 caps memory at 64 MiB.
ARGON2_TIME_COST = _read("ARGON2_TIME_COST", env.int, 2)
ARGON2_MEMORY_KIB = _read("ARGON2_MEMORY_KIB", env.int, 19456)
ARGON2_PARALLELISM = _read("ARGON2_PARALLELISM", env.int, 1)
# Passphrase attempts (view, revoke, change) allowed per voter and election in one minute.
PASSPHRASE_ATTEMPTS_PER_MINUTE = _read("PASSPHRASE_ATTEMPTS_PER_MINUTE", env.int, 5)

# The ballot box: each election's private key is stored only wrapped under BALLOT_BOX_KEY (32 bytes, URL-safe
# base64), which lives in the environment, never in the database. BALLOT_BOX_OLD_KEYS still unwrap boxes
# while they are re-wrapped under a new key (manage.py rewrap_ballot_boxes). Checked: elekto.E010.
# PASSPHRASE_PEPPER enters every passphrase's key derivation, so that a copy of the database alone cannot be
# brute-forced; PASSPHRASE_OLD_PEPPERS still open links sealed under earlier peppers. Checked: elekto.E011.
# With DEBUG on and nothing set, published development values stand in (refused with DEBUG off).
DEV_BALLOT_BOX_KEY = "ZGV2ZWxvcG1lbnQtb25seSBiYWxsb3QgYm94IGtleSE="
DEV_PASSPHRASE_PEPPER = "development-only-passphrase-pepper-not-secret"
BALLOT_BOX_KEY = _read("BALLOT_BOX_KEY", env.str, "") or (DEV_BALLOT_BOX_KEY if DEBUG else "")
BALLOT_BOX_OLD_KEYS = _read("BALLOT_BOX_OLD_KEYS", env.list, [])
PASSPHRASE_PEPPER = _read("PASSPHRASE_PEPPER", env.str, "") or (DEV_PASSPHRASE_PEPPER if DEBUG else "")
PASSPHRASE_OLD_PEPPERS = _read("PASSPHRASE_OLD_PEPPERS", env.list, [])

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The language chosen with the switcher: a year, like Django's default; no script reads it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    "accounts.pipeline.bind_github_account",
    "social_core.pipeline.user.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    "social_core.pipeline.user.user_details",
    "accounts.pipeline.forget_access_token",
)

# --- Production hardening ----------------------------------------------------------------------------
# Behind a proxy that terminates TLS (an ingress), Django learns the original scheme from a header the proxy
# sets: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https. Set it only when the proxy always sets (or
# strips) that header, or any client could claim to be on HTTPS.
_proxy_ssl_header = _read("SECURE_PROXY_SSL_HEADER", env.list, [])
if len(_proxy_ssl_header) == 2 and all(_proxy_ssl_header):
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
elif _proxy_ssl_header:
    CONFIG_ERRORS.append(
        (
            "SECURE_PROXY_SSL_HEADER",
            f"SECURE_PROXY_SSL_HEADER={','.join(_proxy_ssl_header)!r} is not valid: it must be HEADER,value, "
            "e.g. HTTP_X_FORWARDED_PROTO,https",
        )
    )
SECURE_SSL_REDIRECT = _read("SECURE_SSL_REDIRECT", env.bool, not DEBUG)
# Seconds a process trusts that the database answered /health's check (0: check on every request).
HEALTH_DATABASE_CHECK_SECONDS = _read("HEALTH_DATABASE_CHECK_SECONDS", env.float, 1.0)
# Seconds a process trusts its reading of the database's schema generation (elekto_site.schema): after an upgrade,
# a process of the previous release refuses writes (and /health answers 503) at most this long after the migration.
SCHEMA_GENERATION_CHECK_SECONDS = _read("SCHEMA_GENERATION_CHECK_SECONDS", env.float, 5.0)
# Kubernetes probes and load balancers call /health over plain HTTP from inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = _read("SECURE_HSTS_SECONDS", env.int, 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _read("SECURE_HSTS_INCLUDE_SUBDOMAINS", env.bool, True)
# The preload directive alone changes nothing: browsers preload a domain only after its owner submits it to
# hstspreload.org. Turn it off (SECURE_HSTS_PRELOAD=off) if the domain must never be submitted.
SECURE_HSTS_PRELOAD = _read("SECURE_HSTS_PRELOAD", env.bool, True)
SESSION_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# Sessions live in the database, which every replica shares (Django's table, read with one plain query). With
# CACHE_URL (django-environ cache URL, e.g. dbcache://elekto_cache or memcache://host:11211) they are read through
# that cache and still written to the database, so a cache restart signs nobody out.
CACHE_URL = _read("CACHE_URL", env.str, "")
SESSION_ENGINE = "accounts.sessions"
if CACHE_URL:
    try:
        CACHES = {"default": environ.Env.cache_url_config(CACHE_URL)}
        SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    except (environ.ImproperlyConfigured, ValueError, KeyError) as exc:
        CONFIG_ERRORS.append(("CACHE_URL", f"CACHE_URL cannot be used: {exc}"))

# Content-Security-Policy: scripts and styles only from this site's static files, no inline script; the
# sign-in form may hand over to GitHub. Permissions-Policy: no page needs these browser features.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self' https://github.com",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
PERMISSIONS_POLICY_DENY = [
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb",
]

# Logging: one line per request with its id, plain or JSON (LOG_FORMAT=json), secrets redacted.
from elekto_site.logging import LOG_FORMATS, logging_config  # noqa: E402

LOG_LEVEL = _read("LOG_LEVEL", env.str, "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    CONFIG_ERRORS.append(("LOG_LEVEL", f"LOG_LEVEL={LOG_LEVEL!r} is not valid: use DEBUG, INFO, WARNING or ERROR"))
    LOG_LEVEL = "INFO"
LOG_FORMAT = _read("LOG_FORMAT", env.str, "plain").lower()
if LOG_FORMAT not in LOG_FORMATS:
    CONFIG_ERRORS.append(("LOG_FORMAT", f"LOG_FORMAT={LOG_FORMAT!r} is not valid: use plain or json"))
    LOG_FORMAT = "plain"
LOGGING = logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)
# Error reports hide every cookie (the voting pages' carry ranks and receipts) besides what Django hides.
DEFAULT_EXCEPTION_REPORTER_FILTER = "elekto_site.error_reports.ErrorReportFilter"
