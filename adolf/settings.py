"""ADOLF settings, read from the environment only (see .env.example).

With no DATABASE_URL and no broker URL the project runs embedded: a SQLite file and
kombu's filesystem broker under ADOLF_DATA_DIR, so a bare machine needs no servers.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from adolf import multiproc
from adolf.env import env_bool, env_int, env_list, env_required, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of the embedded mode (SQLite file, broker folders, file cache); relative
# paths are taken from the project root.
DATA_DIR = BASE_DIR / (env_str("ADOLF_DATA_DIR") or "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_required("SECRET_KEY", unless=DEBUG, fallback="django-insecure-adolf-development-only")


def _fernet_keys(raw: str) -> list[str]:
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEY key #{position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            ) from None
    return keys


# In development the key is derived from SECRET_KEY so a fresh checkout runs as is.
_development_fernet_key = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
# The first key encrypts; every key decrypts, so keys can be rotated by prepending a new one.
FIELD_ENCRYPTION_KEYS = _fernet_keys(
    env_required("FIELD_ENCRYPTION_KEY", unless=DEBUG, fallback=_development_fernet_key)
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "django_celery_results",
    "adolf",
    "operations",
    "shop",
    "notifications",
    "integrations",
    "simulator",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "adolf.urls"
WSGI_APPLICATION = "adolf.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL")
EMBEDDED_DATABASE = not DATABASE_URL
if EMBEDDED_DATABASE:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "adolf.sqlite3",
            # Web, worker and beat share the file: WAL lets readers run beside the one
            # writer, and IMMEDIATE transactions wait for the write lock instead of failing.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so a worker process started by a test sees the test data.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
else:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and cache ----------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL")
# Every cache call answers or fails within this many seconds, set here as every other Redis
# client of ADOLF sets it rather than left to the library's default (redis-py's has changed
# between versions): the webhook receiver asks the cache before it answers the store
# (shop.inbox.nudge), and a Redis host that stops answering must not hold the answer.
REDIS_CACHE_OPTIONS = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    # A file cache is shared by the embedded web, worker and beat processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

# --- Celery (read by adolf/celery.py with the CELERY_ namespace) ----------------------
EMBEDDED_BROKER_DIR = DATA_DIR / "broker"
# A host name, though the filesystem broker needs none: without it kombu warns "No hostname
# was supplied" on every connection (each command, /health/, the dashboard).
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost//"
EMBEDDED_BROKER = CELERY_BROKER_URL.startswith("filesystem://")

# Redis redelivers a task that is not acknowledged within the visibility timeout. Every
# task here acks late, and a task given a countdown or an eta is held unacknowledged until
# it runs, so the timeout must outlast the longest countdown plus the longest task
# (CELERY_TASK_TIME_LIMIT), or a healthy task runs twice; and it bounds how long a task of
# a worker that vanished waits before another worker takes it. 30 minutes meets both.
# Longer delays go through beat. The rules between these settings are checked at start
# (adolf.checks): `manage.py check` lists what contradicts.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 1800, minimum=60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=1)
# Room between the visibility timeout and the longest a task can stay unacknowledged: the
# ack's round trip and the clocks of the workers that deliver and restore messages.
VISIBILITY_MARGIN_SECONDS = 10
# The longest countdown ADOLF's own retries put on a task (polls and webhook re-fetches,
# microservice callbacks, deliveries); a longer wait is left to beat and the sweepers.
TASK_RETRY_MAX_COUNTDOWN_SECONDS = env_int("TASK_RETRY_MAX_COUNTDOWN_SECONDS", 300, minimum=1)
# The longest countdown or eta a microservice may ask for (the producer client and the task
# API). Default: what the visibility timeout leaves after the task time limit.
TASK_MAX_DELAY_SECONDS = env_int(
    "TASK_MAX_DELAY_SECONDS",
    max(0, CELERY_VISIBILITY_TIMEOUT - CELERY_TASK_TIME_LIMIT - VISIBILITY_MARGIN_SECONDS),
    minimum=0,
)
# Seconds between a worker's publications of these limits to the broker (adolf.limits): a
# key Redis lost is back within this time.
TASK_LIMITS_REPUBLISH_SECONDS = env_int("TASK_LIMITS_REPUBLISH_SECONDS", 60, minimum=1)

if EMBEDDED_BROKER:
    for folder in ("queue", "control", "processed"):
        (EMBEDDED_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(EMBEDDED_BROKER_DIR / "queue"),
        "data_folder_out": str(EMBEDDED_BROKER_DIR / "queue"),
        "control_folder": str(EMBEDDED_BROKER_DIR / "control"),
        "processed_folder": str(EMBEDDED_BROKER_DIR / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}

CELERY_RESULT_BACKEND = env_url("CELERY_RESULT_BACKEND") or "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = env_int("CELERY_RESULT_EXPIRES_DAYS", 7, minimum=1) * 86400
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TRACK_STARTED = True
# Events feed Flower's live view.
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
# django-celery-beat's DatabaseScheduler, keeping BEAT_PINNED_SCHEDULE's entries as configured.
CELERY_BEAT_SCHEDULER = "adolf.beat:Scheduler"
# Exactly one beat sends (adolf.beat_lock): a second one stands by, and takes over this many
# seconds after the leader stops renewing its lock (at once if it shuts down cleanly).
BEAT_LOCK_SECONDS = env_int("BEAT_LOCK_SECONDS", 30, minimum=3)

# --- Shop polling -----------------------------------------------------------------------
SHOP_POLLING_ENABLED = env_bool("SHOP_POLLING_ENABLED", True)
SHOP_POLLING_INTERVAL = env_int("SHOP_POLLING_INTERVAL", 60, minimum=10)
SHOP_KNOWN_ORDERS_RETENTION_DAYS = env_int("SHOP_KNOWN_ORDERS_RETENTION_DAYS", 7, minimum=1)
SHOP_POLL_RUNS_RETENTION_DAYS = env_int("SHOP_POLL_RUNS_RETENTION_DAYS", 30, minimum=1)
# A poll renews its lease on the store at every page; a poll that dies leaves a lease
# that runs out after this long. Longer than any page can take to read.
SHOP_POLL_LEASE_SECONDS = env_int("SHOP_POLL_LEASE_SECONDS", 120, minimum=1)
# A poll stops reading after this long and the next poll reads on (a backlog after an
# outage can be longer than any one task may run).
SHOP_POLL_MAX_SECONDS = env_int("SHOP_POLL_MAX_SECONDS", CELERY_TASK_SOFT_TIME_LIMIT // 2, minimum=0)
# First retry delay of a poll that failed transiently (doubling, capped at 300 s, jittered).
SHOP_POLL_RETRY_BACKOFF = env_int("SHOP_POLL_RETRY_BACKOFF", 30, minimum=1)
# Minutes a store may fail every poll for a reason that may pass (unreachable, 5xx, rate
# limited) before one alert goes out (shop.alerts); refused keys and misconfigurations alert at once.
SHOP_OUTAGE_ALERT_MINUTES = env_int("SHOP_OUTAGE_ALERT_MINUTES", 15, minimum=1)

# The seed's store, defined by the environment (shop.environment): created or updated by
# every `manage.py migrate` and by `manage.py sync_env_store`. The URL decides the API.
WOOCOMMERCE_MCP_URL = env_str("WOOCOMMERCE_MCP_URL").strip()
WOOCOMMERCE_CONSUMER_KEY = env_str("WOOCOMMERCE_CONSUMER_KEY").strip()
WOOCOMMERCE_CONSUMER_SECRET = env_str("WOOCOMMERCE_CONSUMER_SECRET").strip()

# Seconds a request to a store may take before it counts as a (retried) timeout.
SHOP_STORE_TIMEOUT = env_int("SHOP_STORE_TIMEOUT", 20, minimum=1)
# Seconds between runs of the poll dispatcher (shop.dispatch_polls), which enqueues every
# store due within the next two runs, each held until its due time (so for up to twice
# this; shop.checks keeps that within the visibility timeout).
SHOP_DISPATCH_SECONDS = env_int("SHOP_DISPATCH_SECONDS", 5, minimum=1)
# Seconds between checks that every store's schedule is what the store says (shop.repair_schedules).
SHOP_SCHEDULE_REPAIR_SECONDS = env_int("SHOP_SCHEDULE_REPAIR_SECONDS", 60, minimum=5)

# Seconds between runs of the sweepers that make "nothing is lost" hold: the order-event
# outbox (shop.publish_pending_events), the webhook inbox (shop.sweep_webhooks) and the
# deliveries (notifications.sweep_deliveries) pick up what a crash or a broker outage left.
SHOP_OUTBOX_SWEEP_SECONDS = env_int("SHOP_OUTBOX_SWEEP_SECONDS", 60, minimum=5)
SHOP_WEBHOOK_SWEEP_SECONDS = env_int("SHOP_WEBHOOK_SWEEP_SECONDS", 60, minimum=5)
NOTIFICATION_SWEEP_SECONDS = env_int("NOTIFICATION_SWEEP_SECONDS", 60, minimum=5)

# Beat entries kept as configured here (adolf.beat): created at beat's start and, if one is
# deleted, disabled or edited in the admin, restored within PIN_CHECK_SECONDS and recorded
# in the admin log. Pinned are the entries that correctness depends on: the poll dispatcher,
# the schedule repair and the sweepers (one disabled by hand would silently strand events,
# webhooks or deliveries); pruning and the webhook read-back stay the operator's to edit.
# {name: {"task", "every" (seconds), "setting" (the one that sets "every"), "queue", "description"}}.
BEAT_PINNED_SCHEDULE = {
    "shop: dispatch due polls": {
        "task": "shop.dispatch_polls",
        "every": SHOP_DISPATCH_SECONDS,
        "setting": "SHOP_DISPATCH_SECONDS",
        "queue": "default",
        "description": "Enqueue a poll of every store that is due (each store's interval is edited on its page).",
    },
    "shop: repair schedules": {
        "task": "shop.repair_schedules",
        "every": SHOP_SCHEDULE_REPAIR_SECONDS,
        "setting": "SHOP_SCHEDULE_REPAIR_SECONDS",
        "queue": "default",
        "description": "Find and repair store schedules that drifted from their stores.",
    },
    "shop: publish pending order events": {
        "task": "shop.publish_pending_events",
        "every": SHOP_OUTBOX_SWEEP_SECONDS,
        "setting": "SHOP_OUTBOX_SWEEP_SECONDS",
        "queue": "default",
        "description": "Publish order events whose own message was lost (a crash, the broker down).",
    },
    "shop: process webhook deliveries left waiting": {
        "task": "shop.sweep_webhooks",
        "every": SHOP_WEBHOOK_SWEEP_SECONDS,
        "setting": "SHOP_WEBHOOK_SWEEP_SECONDS",
        "queue": "default",
        "description": "Process received webhooks that no task carried (the broker was down, a worker died).",
    },
    "Notifications: re-dispatch due and stranded deliveries": {
        "task": "notifications.sweep_deliveries",
        "every": NOTIFICATION_SWEEP_SECONDS,
        "setting": "NOTIFICATION_SWEEP_SECONDS",
        "queue": "default",
        "description": "Sends deliveries whose backoff is over and those a crashed worker left behind.",
    },
}

# Orders never seen before whose change needs evidence of being recent (shop.evidence): how
# many a poll or follow-up reads, how many requests at once, and after how many failed
# reads a store that never answers them is taken to show none.
SHOP_EVIDENCE_BATCH = env_int("SHOP_EVIDENCE_BATCH", 50, minimum=1)
SHOP_EVIDENCE_CONCURRENCY = env_int("SHOP_EVIDENCE_CONCURRENCY", 4, minimum=1)
SHOP_EVIDENCE_MAX_ATTEMPTS = env_int("SHOP_EVIDENCE_MAX_ATTEMPTS", 12, minimum=1)
# --- Outbound TLS (adolf.tls) -----------------------------------------------------------
# OpenSSL's variables, trusted here in addition to the OS trust store (not instead of it).
SSL_CERT_FILE = env_str("SSL_CERT_FILE").strip()
SSL_CERT_DIR = env_str("SSL_CERT_DIR").strip()

# --- Shop webhooks ----------------------------------------------------------------------
# The address stores reach this deployment at; webhook URLs registered on stores start with it.
PUBLIC_BASE_URL = (env_str("PUBLIC_BASE_URL") or "").rstrip("/")
# The largest webhook body accepted. An order is rendered whole, line items and meta data
# included: a few MiB is normal for a large one (1,000 line items make about 1.2 MiB).
SHOP_WEBHOOK_MAX_BYTES = env_int("SHOP_WEBHOOK_MAX_BYTES", 16 * 1024 * 1024, minimum=1024)

# --- Time and language --------------------------------------------------------------
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE") or "Europe/Moscow"
CELERY_TIMEZONE = env_str("CELERY_TIMEZONE") or TIME_ZONE
CELERY_ENABLE_UTC = True
USE_I18N = True
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LANGUAGE_CODE = env_str("LANGUAGE_CODE") or "ru"
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r} is not one of: ru, en")
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request while it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- HTTP security --------------------------------------------------------------------
# Production terminates TLS at a proxy in front of gunicorn; these default to the safe
# side whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Submitting a domain to browsers' preload lists is the operator's commitment to make.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Repeated failed logins are throttled (django-axes): after AXES_FAILURE_LIMIT failures for
# one user name from one address, that pair is locked out for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail -----------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "adolf@localhost"

# --- Notifications ----------------------------------------------------------------------
# A delivery is tried this many times in all before it is marked dead.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8, minimum=1)
# Backoff between attempts: full jitter over base·2^(n-1) seconds, capped.
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 30, minimum=0)
NOTIFICATION_RETRY_CAP_SECONDS = env_int("NOTIFICATION_RETRY_CAP_SECONDS", 3600, minimum=0)
# Days notifications are kept (with their deliveries and the customer details they carry);
# order events keep their order snapshot as long. Pruned daily.
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 180, minimum=1)
# Seconds between refreshes of the inbox's unread badge.
NOTIFICATION_INBOX_REFRESH_SECONDS = env_int("NOTIFICATION_INBOX_REFRESH_SECONDS", 15, minimum=1)
# The Bot API root: tests and self-hosted Bot API servers point it elsewhere.
TELEGRAM_API_BASE = (env_str("TELEGRAM_API_BASE") or "https://api.telegram.org").rstrip("/")

# --- Logging ----------------------------------------------------------------------------
LOG_LEVEL = (env_str("LOG_LEVEL") or "INFO").upper()
# keyvalue (ts=… level=… logger=… msg="…" store=… task_id=…) or json, one record a line.
LOG_FORMAT = (env_str("LOG_FORMAT") or "keyvalue").lower()
if LOG_FORMAT not in ("keyvalue", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not one of: keyvalue, json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "keyvalue": {"()": "adolf.logs.KeyValueFormatter"},
        "json": {"()": "adolf.logs.JsonFormatter"},
    },
    # The filter adds the ids of what is being worked on: store, order, Celery task.
    "filters": {"context": {"()": "adolf.logs.ContextFilter"}},
    # stderr, always: a command's stdout carries only its output (`list_notifications --json | jq .`).
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default logging gives `django` a console handler of its own (with DEBUG on)
        # and mail_admins (no ADMINS here): its records would be written twice, once unmasked.
        # They reach the root handler like every other record (at Django's own level, INFO).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # httpx logs every URL at INFO, query string included, and a store using query-string
        # authentication carries its consumer secret there; Telegram bot tokens sit in the URL
        # path, and Apprise (over urllib3) logs the service URLs that hold channel tokens;
        # oauthlib logs the consumer key with every signature it computes at DEBUG.
        **{name: {"level": "WARNING"} for name in ("httpx", "httpcore", "urllib3", "apprise", "oauthlib")},
        # django-axes announces its version at INFO in every process and command; its
        # lockouts are warnings and still show. LOG_LEVEL=DEBUG hears it all.
        "axes": {"level": "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"},
    },
}

# --- Metrics and health -----------------------------------------------------------------
# Where a Celery worker and beat serve their own metrics (host:port; empty: not served); by
# default a worker on 9808 and beat on 9809 of the machine itself. The web serves its own on
# /metrics. Each instance keeps its values apart (adolf.multiproc).
METRICS_LISTEN = env_str("METRICS_LISTEN", "127.0.0.1:9809" if multiproc.role() == "beat" else "127.0.0.1:9808")
# /metrics answers only with this bearer token (when set) and only to these networks.
METRICS_TOKEN = env_str("METRICS_TOKEN")


def _networks(names: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(name, strict=False) for name in names]
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {exc}") from None


# Without a token only the machine itself may scrape; with one, any network unless narrowed.
METRICS_ALLOWED_NETWORKS = _networks(
    env_list("METRICS_ALLOWED_NETWORKS", "0.0.0.0/0,::/0" if METRICS_TOKEN else "127.0.0.0/8,::1/128")
)
# /health/ is unhealthy when an enabled store has had no successful poll for this long
# (or two of its polling intervals, if longer).
HEALTH_POLL_STALE_MINUTES = env_int("HEALTH_POLL_STALE_MINUTES", 5, minimum=1)
# /health/ tells anyone the status and a generic reason per component; staff and callers
# sending `Authorization: Bearer $HEALTH_TOKEN` get the details.
HEALTH_TOKEN = env_str("HEALTH_TOKEN")
# Seconds each /health/ probe (database, broker, worker ping) may take.
HEALTH_TIMEOUT_SECONDS = env_int("HEALTH_TIMEOUT_SECONDS", 3, minimum=1)
# Health and metrics probes come over plain http from inside the deployment.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
