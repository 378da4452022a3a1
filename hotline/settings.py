"""Hotline settings: everything comes from the environment (see README, "Configuration").

Two ways to run the same code:
- embedded default (no DATABASE_URL, no REDIS_URL): SQLite in WAL mode and an embedded Redis in the
  data folder; `hotline demo` runs it in demo mode;
- production: PostgreSQL, Redis, SECRET_KEY and ALLOWED_HOSTS given, DEBUG off.
"""

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab

from hotline.env import ConfigError, env_bool, env_int, env_list, env_str
from hotline.reachability.schedule import validate_settings as _validate_check_schedule
from hotline.runtime import data_dir, is_demo_mode, keep_private, kept_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
keep_private(DATA_DIR)

DEBUG = env_bool("DEBUG", False)
DEMO_MODE = is_demo_mode(DATA_DIR)

# --- secrets and hosts -------------------------------------------------------------------------------
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if DEMO_MODE or DEBUG:
        SECRET_KEY = kept_secret_key(DATA_DIR)
    else:
        raise ConfigError("SECRET_KEY: not set (required outside demo mode when DEBUG is off)")

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOOPBACK_HOSTS if (DEMO_MODE or DEBUG) else [])
if not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS: not set (a comma-separated list of the host names the service answers)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The second factor is enforced for every console user; only demo mode may let people in without it.
OTP_REQUIRED = not DEMO_MODE or env_bool("HOTLINE_DEMO_REQUIRE_OTP", False)

# --- applications ------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework_api_key",  # its abstract key model; the app's own APIKey table stays unused
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "hotline.console",
    "hotline.realtime",
    "hotline.audit",
    "hotline.idempotency",
    "hotline.escalation",
    "accounts",
    "hotline.reachability",
    "incidents",
    "incidents.notifications",
    "hotline.review",
]

MIDDLEWARE = [
    "hotline.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hotline.console.middleware.SecurityHeadersMiddleware",  # below WhiteNoise: static files keep their caching
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hotline.api.RefusedAddressLimitMiddleware",  # before any key or session is read (sessions load lazily)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",  # before the timeout, which leaves a message
    "hotline.console.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hotline.console.middleware.SecondFactorRequiredMiddleware",
    "hotline.console.middleware.UserTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a refused sign-in into the lockout page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hotline.urls"
ASGI_APPLICATION = "hotline.asgi.application"
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out sign-in before the password is checked (see "sign-in throttling").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.console.context_processors.console",
                "hotline.review.context_processors.review",
            ],
        },
    },
]

# --- database ----------------------------------------------------------------------------------------
SQLITE_OPTIONS = {
    # WAL lets readers work beside the one writer; IMMEDIATE takes the write lock when a transaction
    # starts, so two writers queue on the busy timeout instead of failing with "database is locked".
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def _database_from_env() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "hotline.sqlite3")}
    else:
        try:
            database = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0))
        except Exception as exc:  # dj-database-url raises ValueError and friends with varying messages
            raise ConfigError(f"DATABASE_URL: cannot be read ({exc})") from None
        if not database.get("ENGINE") or (
            database["ENGINE"] != "django.db.backends.sqlite3" and not database.get("NAME")
        ):
            raise ConfigError("DATABASE_URL: expected postgres://USER@HOST:PORT/NAME or sqlite:///PATH")
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
        # A file, not memory, so that a worker or server process started by a test sees the same data.
        database["TEST"] = {"NAME": str(DATA_DIR / "test-hotline.sqlite3")}
    else:
        database["CONN_HEALTH_CHECKS"] = True
    return database


DATABASES = {"default": _database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- audit log ---------------------------------------------------------------------------------------
# The checkpoints' origin line: it names this log for the parties who keep its checkpoints.
AUDIT_ORIGIN = env_str("HOTLINE_AUDIT_ORIGIN") or "hotline/audit"
AUDIT_CHECKPOINT_MINUTES = env_int("HOTLINE_AUDIT_CHECKPOINT_MINUTES", 5, minimum=1, maximum=1440)
# The audit app imports no other app (DESIGN.md): who counts as a reviewer is asked of accounts here.
AUDIT_REVIEWER_CHECK = "accounts.access.is_reviewer"
# Unauthenticated refusals (unknown API keys) are recorded at most once per key prefix and client address
# in this window, the rest counted in the next entry (hotline.audit.refusals.record_bounded), so that no
# stranger can grow the append-only log without limit.
AUDIT_REFUSAL_WINDOW_SECONDS = env_int("HOTLINE_AUDIT_REFUSAL_WINDOW_SECONDS", 60, minimum=1, maximum=3600)

# --- Redis: channel layer, Celery broker, heartbeats -------------------------------------------------
EMBEDDED_REDIS = not env_str("REDIS_URL")
EMBEDDED_REDIS_SOCKET = DATA_DIR / "redis.sock"
REDIS_URL = env_str("REDIS_URL") or f"unix://{EMBEDDED_REDIS_SOCKET}"
_redis_scheme = urlsplit(REDIS_URL).scheme
if _redis_scheme not in {"redis", "rediss", "unix"}:
    raise ConfigError(f"REDIS_URL: expected redis://HOST:PORT/DB, rediss://… or unix:///PATH; got {REDIS_URL!r}")

CHANNEL_LAYERS = {
    "default": {
        # The pub/sub layer keeps up with bursts the list-based layer falls over on (DESIGN.md); a push it
        # drops is recovered from the database by the catch-up feed.
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "max_connections": env_int("REDIS_MAX_CONNECTIONS", 500, minimum=10)}],
        },
    },
}


def _celery_broker_url(redis_url: str) -> str:
    # kombu names a Unix-socket Redis "redis+socket://"; redis-py calls it "unix://".
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://") :]
    return redis_url


CELERY_BROKER_URL = _celery_broker_url(REDIS_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Worker and beat log through Django's LOGGING (JSON lines in production), not Celery's own set-up.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "hotline.heartbeat:HeartbeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Beat wakes at least every second: the escalation engine ticks at that rate, and the beat heartbeat
# is written on each wake.
CELERY_BEAT_MAX_LOOP_INTERVAL = 1
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "hotline.heartbeat.worker_heartbeat", "schedule": 5.0, "options": {"expires": 30}},
    # The escalation engine (DESIGN.md): fire what is due, every second; retry sending every 5 s. Short
    # expiries: a tick that waited in a queue for longer is useless, the next one does its work.
    "escalation-tick": {"task": "hotline.escalation.tick", "schedule": 1.0, "options": {"expires": 5}},
    "escalation-send": {"task": "hotline.escalation.send_deliveries", "schedule": 5.0, "options": {"expires": 10}},
    # Reachability checks (hotline.reachability.tasks): start the scheduled check when its slot has come; idempotent.
    "reachability-check-schedule": {
        "task": "hotline.accounts.start_scheduled_check",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "audit-checkpoint": {
        "task": "hotline.audit.publish_checkpoint",
        "schedule": 60.0 * AUDIT_CHECKPOINT_MINUTES,
        "options": {"expires": 60},
    },
    # The previous month's period report (hotline.review.tasks): due on the 1st; asked every hour, so a
    # beat that was down at midnight still issues it; a month's report is issued once (unique constraint).
    "review-monthly-report": {
        "task": "hotline.review.issue_monthly_report",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
}

# How old a heartbeat may be before /healthz calls that part down.
HEALTH_WORKER_MAX_AGE = env_int("HEALTH_WORKER_MAX_AGE", 30, minimum=5)
HEALTH_BEAT_MAX_AGE = env_int("HEALTH_BEAT_MAX_AGE", 15, minimum=2)
# A timer overdue by longer than this (seconds) means the engine is not keeping up: /healthz fails.
HEALTH_ESCALATION_MAX_LAG = env_int("HEALTH_ESCALATION_MAX_LAG", 30, minimum=2)

# --- escalation and paging ---------------------------------------------------------------------------
# Where pages link to (the console as people reach it, behind nginx in production).
HOTLINE_BASE_URL = env_str("HOTLINE_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1, maximum=65535)}")
# Webhook bodies are signed with this (HMAC-SHA256); receivers are given it. Derived from SECRET_KEY when
# unset, so that it is stable across restarts.
HOTLINE_WEBHOOK_SECRET = (
    env_str("HOTLINE_WEBHOOK_SECRET", "")
    or hmac.new(SECRET_KEY.encode(), b"hotline webhook signing", hashlib.sha256).hexdigest()
)
# SMS through an HTTP gateway; without one, no SMS is sent (the timeline says so).
HOTLINE_SMS_GATEWAY_URL = env_str("HOTLINE_SMS_GATEWAY_URL", "")
HOTLINE_SMS_GATEWAY_TOKEN = env_str("HOTLINE_SMS_GATEWAY_TOKEN", "")
ESCALATION_SEND_WINDOW_S = env_int("ESCALATION_SEND_WINDOW_S", 900, minimum=30)  # a page not sent by then has failed
ESCALATION_SEND_LEASE_S = env_int("ESCALATION_SEND_LEASE_S", 60, minimum=2)  # a sender's claim on a delivery
ESCALATION_HTTP_TIMEOUT_S = env_int("ESCALATION_HTTP_TIMEOUT_S", 10, minimum=1, maximum=60)

# --- reachability checks -----------------------------------------------------------------------------
# The commission's 24/7 test of every party's points of contact: when the scheduled check goes out ("tue
# 10:00", "mon,thu 09:30", "daily 10:00" or "off"), in which zone, and how long organisations have to answer.
HOTLINE_CHECK_SCHEDULE = env_str("HOTLINE_CHECK_SCHEDULE", "tue 10:00")
HOTLINE_CHECK_TIME_ZONE = env_str("HOTLINE_CHECK_TIME_ZONE", "Europe/Belgrade")
HOTLINE_CHECK_WINDOW_MINUTES = env_int("HOTLINE_CHECK_WINDOW_MINUTES", 120, minimum=5, maximum=1440)
_validate_check_schedule(HOTLINE_CHECK_SCHEDULE, HOTLINE_CHECK_TIME_ZONE)

# --- auth and sessions -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first: new passwords are hashed with it, and a PBKDF2 hash (every one written before) is
# rehashed with Argon2 when its person next signs in. The older hashers stay so those hashes still verify.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
OTP_TOTP_ISSUER = "Hotline"
# Wrong second-factor codes: django-otp makes each next try wait 2^(n-1) s after n wrong codes in a row
# (per device, so across sessions too); the console's verify page says so.
OTP_TOTP_THROTTLE_FACTOR = 1
# A session ends after HOTLINE_SESSION_IDLE_MINUTES without a request or a live-channel ping, and
# HOTLINE_SESSION_MAX_HOURS after sign-in however active (hotline.console.sessions). The cookie is a
# browser-session cookie: the server-side expiry governs, and closing the browser signs out.
HOTLINE_SESSION_IDLE_MINUTES = env_int("HOTLINE_SESSION_IDLE_MINUTES", 60, minimum=5, maximum=24 * 60)
HOTLINE_SESSION_MAX_HOURS = env_int("HOTLINE_SESSION_MAX_HOURS", 14, minimum=1, maximum=7 * 24)  # shift+handovers
SESSION_COOKIE_AGE = HOTLINE_SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- sign-in throttling (django-axes) ----------------------------------------------------------------
# After HOTLINE_LOGIN_FAILURE_LIMIT wrong passwords the sign-in is refused for the cool-off, counted
# from the last failure (a failure during the lockout starts it again). HOTLINE_LOGIN_LOCK_BY lists what
# is counted, each item one counter: "username+address" (one person from one address: a guesser cannot
# lock a duty officer out from elsewhere) and "address" (one address guessing many names). An office
# behind one NAT address shares the "address" counter; drop it there ("username+address" alone).
# Unlock: `manage.py axes_reset_username NAME` (or axes_reset_ip ADDRESS), or delete the access attempt
# in the admin (/admin/axes/accessattempt/).
AXES_FAILURE_LIMIT = env_int("HOTLINE_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HOTLINE_LOGIN_COOL_OFF_MINUTES", 15, minimum=1, maximum=24 * 60))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
_lock_by_fields = {"username": "username", "address": "ip_address"}


def _lockout_parameters(items: list[str]) -> list:
    parameters = []
    for item in items:
        names = [name.strip() for name in item.split("+")]
        if not names or any(name not in _lock_by_fields for name in names):
            raise ConfigError(
                f"HOTLINE_LOGIN_LOCK_BY: expected items of username, address or username+address; got {item!r}"
            )
        fields = [_lock_by_fields[name] for name in names]
        parameters.append(fields[0] if len(fields) == 1 else fields)
    if not parameters:
        raise ConfigError("HOTLINE_LOGIN_LOCK_BY: name at least one counter (username+address, address)")
    return parameters


AXES_LOCKOUT_PARAMETERS = _lockout_parameters(env_list("HOTLINE_LOGIN_LOCK_BY", ["username+address", "address"]))
# The client's address is REMOTE_ADDR: behind nginx, uvicorn already sets it from X-Forwarded-For, and
# only for the proxies FORWARDED_ALLOW_IPS trusts (hotline/cli.py). Axes must not read the header itself,
# or a client that reaches the web port directly could pick its own address.
AXES_CLIENT_IP_CALLABLE = "accounts.auth_audit.client_address"
AXES_LOCKOUT_CALLABLE = "hotline.console.views.locked_out"
# No "AXES: BEGIN" line from every process and command at start-up: the audit log holds the lockouts.
AXES_VERBOSE = False

# --- HTTPS (behind nginx in production) --------------------------------------------------------------
HTTPS = env_bool("HOTLINE_HTTPS", not (DEMO_MODE or DEBUG))
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Monitoring asks for the health over plain HTTP on the host itself.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- time and language -------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True  # stored in UTC, always
TIME_ZONE = env_str("HOTLINE_TIME_ZONE", "Europe/Belgrade")  # shown to users who chose no zone

# --- static files and uploads ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_PERMISSIONS = 0o600  # incident attachments: the service user's alone (hotline.runtime.keep_private)
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Incident attachments: the largest accepted, and the types accepted (by file-name extension).
ATTACHMENT_MAX_BYTES = env_int("HOTLINE_ATTACHMENT_MAX_MB", 25, minimum=1, maximum=1024) * 1024 * 1024
ATTACHMENT_EXTENSIONS = env_list(
    "HOTLINE_ATTACHMENT_EXTENSIONS",
    [
        "pdf",
        "txt",
        "csv",
        "json",
        "xml",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "eml",
        "pcap",
        "pcapng",
        "zip",
        "gz",
        "7z",
        "docx",
        "xlsx",
        "odt",
        "ods",
        "kml",
        "geojson",
    ],
)
# Uploads are streamed to a temporary file above this size, never held in memory whole.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- e-mail ------------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hotline@localhost")
# Without an SMTP host: the demo keeps its e-mails as files in the data folder (var/mail/), to be read
# there; elsewhere they go to the log, and the escalation engine does not page by e-mail at all (a page
# written to a log has reached nobody).
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEMO_MODE:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- API ---------------------------------------------------------------------------------------------
# API rate limits (hotline/ratelimit.py), counted in Redis across web processes. Per API key or person:
# 1,200 a minute is 20 a second sustained, above what one organisation's tooling sends in a crisis
# (issue 17: about 200 a second over 15 organisations); the limit stops runaway scripts. Per address,
# only requests that fail to authenticate count: 30 a minute is enough for a typo, not for guessing keys.
API_RATE_WINDOW_SECONDS = env_int("HOTLINE_API_RATE_WINDOW_SECONDS", 60, minimum=1, maximum=3600)
API_RATE_PER_CALLER = env_int("HOTLINE_API_RATE_PER_CALLER", 1200, minimum=1)
API_RATE_PER_ADDRESS = env_int("HOTLINE_API_RATE_PER_ADDRESS", 30, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The key first: its header names the scheme for 401 answers (WWW-Authenticate: Api-Key).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "hotline.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["hotline.ratelimit.CallerRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's defaults with our JSON parser: no body can make a 500 (too deep, too long a number, a NUL).
    "DEFAULT_PARSER_CLASSES": [
        "hotline.json_input.JsonParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hotline API",
    "DESCRIPTION": "The 24/7 cyber and drone incident hotline of the Western Balkans commission.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc are served from our own static files: these networks are often closed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get schemas of their own, which say what input must hold (a required text is not
    # blank: minLength 1) without claiming it of answers.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "hotline.api.document_common_answers"],
}

# --- logging -----------------------------------------------------------------------------------------
LOG_FORMAT = env_str("LOG_FORMAT") or ("text" if (DEBUG or DEMO_MODE) else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ConfigError(f"LOG_FORMAT: expected json or text; got {LOG_FORMAT!r}")
LOG_LEVEL = (env_str("LOG_LEVEL") or "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "hotline.logging.ContextFilter"}},
    "formatters": {
        "json": {"()": "hotline.logging.JsonFormatter"},
        "text": {"()": "hotline.logging.TextFormatter"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": LOG_LEVEL},
        # Django logs every 4xx with the request; our own middleware logs one line a request instead.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    },
}
