"""Settings for Roundtable, read from environment variables with local defaults (see .env.example)."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from community.queues import DEFAULT_QUEUE, QUEUES, TASK_ROUTES

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env(
    "SECRET_KEY",
    default="django-insecure-local-development-key-do-not-use-in-production",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# `make bench` only: routes /bench/floor/, the constant page every measured page is compared with (bench/load.py).
BENCH_FLOOR = env.bool("BENCH_FLOOR", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sites",  # the site's name in account emails ("Hello from Roundtable!", not its host)
    "allauth",
    "allauth.account",
    "community",
    "community.members",
    "community.expertise",
    "community.buddies",
    "community.notifications",
    "community.triage",
    "community.health",
    "community.events",
    "forums",
    "loyalty",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "community.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session is read: a visitor without cookies gets a kept page in one Redis round trip.
    "forums.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "community.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "community.middleware.MemberPreferencesMiddleware",
    "moderation.middleware.SuspensionMiddleware",
    "loyalty.middleware.VisitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "community.urls"
SITE_ID = 1
SITE_NAME = "Roundtable"
SITE_DOMAIN = urlsplit(SITE_URL).netloc
WSGI_APPLICATION = "community.wsgi.application"

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
                "community.notifications.context_processors.unread_notifications",
                "community.context_processors.roles",
                "loyalty.context_processors.celebrations",
                "community.members.context_processors.first_steps",
                "moderation.context_processors.moderation",
            ],
        },
    },
]

# PgBouncer in transaction mode (PGBOUNCER=true) lends a server connection to a client for one transaction
# only, so nothing may outlive a transaction on the server: Django's server-side cursors (.iterator() outside a
# transaction declares a WITH HOLD cursor) are turned off, and the `options` startup parameter is not sent
# (PgBouncer refuses `-c jit=…` in it): JIT is turned off on the server instead (docs/deploy.md). Advisory locks
# here are transaction-scoped (pg_advisory_xact_lock); the time zone Django sets is a parameter PgBouncer tracks.
PGBOUNCER = env.bool("PGBOUNCER", default=False)


def database_from_url(url: str) -> dict:
    """One alias's settings: persistent connections (to PostgreSQL, or cheap ones to PgBouncer), checked before reuse."""
    database = env.db_url_config(url)
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    if PGBOUNCER:
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        # PostgreSQL's JIT compiles a plan whose estimated cost is high before running it: 100-150 ms on this
        # hardware for dashboard queries that then run in 10 ms. A web request's queries are short; JIT only
        # ever costs here (measured in docs/benchmarks.md). PG_JIT=on brings it back.
        database.setdefault("OPTIONS", {})["options"] = "-c jit=" + env("PG_JIT", default="off")
    return database


DATABASES = {"default": database_from_url(env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/roundtable"))}
# A streaming replica of the same database: the heavy read-only pages read from it (community/db_routing.py).
# Unset: one database, and no router or middleware is installed.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = database_from_url(env("DATABASE_REPLICA_URL"))
    DATABASE_ROUTERS = ["community.db_routing.ReplicaRouter"]
    # Early, so that every query of the request (sessions, the visit record) is seen by it.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "community.db_routing.ReplicaReadsMiddleware")
# Seconds a member's reads stay on the primary after a request of theirs wrote: longer than the replica ever lags.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Django's Redis cache, degrading rather than failing while Redis is away (community/cache.py).
        "BACKEND": "community.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="rt"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

# Accounts (django-allauth): email + username + password, mandatory verification, login by code.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "community.members.validators.chosen_username_validators"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# A password reset, a sign-up or a login code answers the same whether the address has an account or not;
# only an address with an account gets mail (none to addresses we do not know: no mail to strangers on demand).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# The rate limits above count per client address. Behind the TLS terminator (docs/deploy.md) the address is the
# one it appends to X-Forwarded-For; without this, every visitor would share the terminator's one address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Roundtable] "

EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="community.mail.ConsoleAndFileEmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "tmp" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Roundtable <noreply@roundtable.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "tmp" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Celery: Redis broker; tasks are enqueued only after commit (see STYLE.md).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request publishing a task must not hang on a dead broker: one quick try, then the job is
# kept in PostgreSQL (community.jobs). Workers reconnect on their own terms (broker_connection_*).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2, "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
}
# Queues per kind of work, so each can have its own workers (community/queues.py). Declared here, a worker
# started without --queues consumes every one of them.
CELERY_TASK_DEFAULT_QUEUE = DEFAULT_QUEUE
CELERY_TASK_QUEUES = [Queue(name) for name in QUEUES]
CELERY_TASK_ROUTES = TASK_ROUTES
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "tmp" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "send-daily-digests": {"task": "notifications.send_daily_digests", "schedule": crontab(hour=7, minute=0)},
    "requeue-pending-jobs": {"task": "community.requeue_pending_jobs", "schedule": 300.0},
    "notify-target-breaches": {"task": "triage.notify_target_breaches", "schedule": 300.0},
    "lift-expired-sanctions": {"task": "moderation.lift_expired_sanctions", "schedule": 300.0},
    "find-moderator-candidates": {"task": "moderation.find_candidates", "schedule": crontab(hour=4, minute=0)},
    "refresh-loyalty-standing": {"task": "loyalty.refresh_all_standing", "schedule": crontab(hour=3, minute=30)},
    "celebrate-today": {"task": "loyalty.celebrate_today", "schedule": crontab(hour=6, minute=0)},
    "refresh-due-standing": {"task": "loyalty.refresh_due_standing", "schedule": 30.0},
    # A safety net: posting already schedules a drain of the award log within a second.
    "drain-award-log": {"task": "loyalty.drain_award_log", "schedule": 15.0},
    # The dashboard's long ranges read yesterday's figures from this rollup; today's are computed live.
    "roll-up-health-figures": {"task": "health.roll_up_days", "schedule": crontab(hour=0, minute=20)},
    # The dashboard's site-wide figures, computed before managers ask (health.snapshots).
    "refresh-health-dashboard": {"task": "health.refresh_dashboard", "schedule": 300.0},
    # Event reminders a day and an hour before (each at most once per member, event and kind).
    "send-event-reminders": {"task": "events.send_reminders", "schedule": 300.0},
    # Newcomers with replies but no accepted answer after 3 days, reminded once.
    "remind-to-accept": {"task": "notifications.remind_to_accept", "schedule": crontab(minute=15)},
    # Newcomers still without a buddy a day after joining are matched; finished fortnights close; volunteers
    # who may no longer be buddies stop and their newcomers are rematched.
    "match-waiting-newcomers": {"task": "buddies.match_waiting_newcomers", "schedule": crontab(minute=40)},
}

# Forum rules.
FORUMS_THREADS_PER_PAGE = 30
# Closing the loop (issue 13): a newcomer with replies but no accepted answer is reminded once after 3 days;
# after 7, managers and the category's moderators may mark the answer on their behalf.
FORUMS_ACCEPT_REMINDER_DAYS = 3
FORUMS_ACCEPT_ON_BEHALF_DAYS = 7
FORUMS_POSTS_PER_PAGE = 20
FORUMS_MAX_TAGS_PER_THREAD = 5
# Minimum seconds between two posts by one member (new members wait longer).
FORUMS_POST_INTERVAL = env.int("FORUMS_POST_INTERVAL", default=5)
FORUMS_NEWCOMER_POST_INTERVAL = env.int("FORUMS_NEWCOMER_POST_INTERVAL", default=30)
FORUMS_THREAD_INTERVAL = env.int("FORUMS_THREAD_INTERVAL", default=15)
FORUMS_NEWCOMER_THREAD_INTERVAL = env.int("FORUMS_NEWCOMER_THREAD_INTERVAL", default=120)

# Newcomer queue and experts.
TRIAGE_FIRST_RESPONSE_TARGET_HOURS = env.float("TRIAGE_FIRST_RESPONSE_TARGET_HOURS", default=4)
# An expert hears about at most one new newcomer thread per this many minutes; the rest are batched.
EXPERT_ROUTING_BATCH_MINUTES = env.int("EXPERT_ROUTING_BATCH_MINUTES", default=10)

# Flags that hide a post at once: this many, or one from a member of this tier on a newcomer's post.
MODERATION_FLAGS_TO_HIDE = env.int("MODERATION_FLAGS_TO_HIDE", default=3)
MODERATION_TRUSTED_FLAGGER_TIER = env.int("MODERATION_TRUSTED_FLAGGER_TIER", default=3)
# New sign-ups wait for a moderator's approval before they post (the review queue lists them).
MODERATION_APPROVE_NEW_MEMBERS = env.bool("MODERATION_APPROVE_NEW_MEMBERS", default=False)
# Hold a newcomer's first N posts for a moderator's approval (0: off).
MODERATION_HOLD_NEWCOMER_POSTS = env.int("MODERATION_HOLD_NEWCOMER_POSTS", default=0)
# Moderator promotion: what the nightly job asks of a candidate.
MODERATION_CANDIDATES_PER_RUN = env.int("MODERATION_CANDIDATES_PER_RUN", default=10)
MODERATION_CANDIDATE_MIN_FLAGS = env.int("MODERATION_CANDIDATE_MIN_FLAGS", default=10)
MODERATION_CANDIDATE_MIN_ACCURACY = env.float("MODERATION_CANDIDATE_MIN_ACCURACY", default=0.8)

# Security. Production (DEBUG=false) passes `manage.py check --deploy`.
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from Redis (written through to PostgreSQL): no SQL for the session on a page view.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Off only for `make run` on plain http://127.0.0.1 (scripts/run_env.sh); on in production.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "community.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
