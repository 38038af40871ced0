"""Django settings for Jiceng.

Everything that differs between a laptop demo and a production install comes
from environment variables (see README "Production"); the defaults give the
embedded SQLite demo.
"""
import os
from pathlib import Path
from urllib.parse import unquote, urlparse


BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("JICENG_DATA_DIR", PROJECT_DIR / "var"))
ASSETS_DIR = Path(os.environ.get("JICENG_ASSETS_DIR", PROJECT_DIR / "node_modules"))


def _secret() -> str:
    """The installation secret: from the environment, else made once and kept in DATA_DIR."""
    if os.environ.get("JICENG_SECRET_KEY"):
        return os.environ["JICENG_SECRET_KEY"]
    path = DATA_DIR / "secret.key"
    if not path.exists():
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret()
# Keys for encrypted ID numbers and their blind index derive from this; keep it apart from
# SECRET_KEY so rotating the web secret never makes the archive unreadable.
JICENG_FIELD_KEY = os.environ.get("JICENG_FIELD_KEY") or SECRET_KEY
# Debug (tracebacks in the browser, no caching) only when asked for: JICENG_DEBUG=1.
DEBUG = os.environ.get("JICENG_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("JICENG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JICENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "jiceng.core",
    "jiceng.orgs",
    "jiceng.members",
    "jiceng.admission",
    # --- training (jiceng/training): courses, attendance, hours, coverage
    "jiceng.training",
    # --- end training
    # --- organizational life (orglife) ---
    "jiceng.orglife",
    # --- end orglife ---
    # --- dues (jiceng/dues): 党费 / 会费 / 社费 ---
    "jiceng.dues",
    # --- end dues ---
    # --- transfers (jiceng/transfers): 组织关系转接, 流动党员 ---
    "jiceng.transfers",
    # --- end transfers ---
    # --- standing (jiceng/standing): the six-month rule, the watch list, lost contact ---
    "jiceng.standing",
    # --- end standing ---
    # --- statistics (jiceng/stats): the statistics document of any subtree, as of any date
    "jiceng.stats",
    "jiceng.demo",
    "jiceng.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jiceng.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jiceng.core.replicas.ReplicaReadsMiddleware",  # before anything reads: the session, the user
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jiceng.core.middleware.ChangeContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "jiceng.core.busy.BusyMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

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
                "jiceng.core.context_processors.navigation",
            ],
        },
    },
]


def _database(url: str) -> dict:
    """SQLite (WAL) by default; PostgreSQL when JICENG_DATABASE_URL=postgresql://user:pw@host:port/name."""
    if url.startswith(("postgres://", "postgresql://")):
        u = urlparse(url)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": u.path.lstrip("/") or "jiceng",
            "USER": unquote(u.username or ""),
            "PASSWORD": unquote(u.password or ""),
            "HOST": u.hostname or "",
            "PORT": str(u.port or ""),
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": os.environ.get("JICENG_TEST_DB_NAME", "test_jiceng")},
        }
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else DATA_DIR / "jiceng.sqlite3"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # a process keeps its connection between requests: a new one per request re-reads the schema and starts with an
        # empty page cache (measured: the organization page under gunicorn, about half its time when served from the
        # page cache); between requests it holds no transaction, so WAL readers and the writer are as before
        "CONN_MAX_AGE": 60,
        # tests use a file too, not SQLite's shared in-memory database: there a read meeting another
        # connection's write fails at once ("table is locked") where WAL lets readers go on, so the
        # live-server tests' concurrent requests (lazy panels) would see errors production never does
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
    }


DATABASES = {"default": _database(os.environ.get("JICENG_DATABASE_URL", ""))}
# PostgreSQL streaming replicas that serve the reads of web requests which write nothing (core/replicas.py);
# a test run mirrors them onto the primary's test database instead of creating one on a read-only server
for _n, _url in enumerate(filter(None, os.environ.get("JICENG_REPLICA_URLS", "").split(",")), start=1):
    DATABASES[f"replica{_n}"] = {**_database(_url.strip()), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["jiceng.core.replicas.ReplicaRouter"]
# after a write, the same browser reads the primary this long, so it sees its change whatever the lag
JICENG_REPLICA_STICKY_SECONDS = int(os.environ.get("JICENG_REPLICA_STICKY_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("JICENG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
# A user name is locked at one client address, never the address as a whole (one office behind a
# NAT or a reverse proxy shares it): jiceng/core/lockout.py. The client address is REMOTE_ADDR unless
# JICENG_TRUSTED_PROXIES (default 0) says how many reverse proxies append to X-Forwarded-For.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "jiceng.core.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "jiceng.core.lockout.lockout_response"
JICENG_TRUSTED_PROXIES = int(os.environ.get("JICENG_TRUSTED_PROXIES", "0") or 0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["jiceng.formats"]  # one way of writing dates per language (jiceng/formats/<lang>/formats.py)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("JICENG_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; `jiceng collectstatic` fills it in production
# Front-end packages come from the npm registry at setup (package.json) and
# are served from here: nothing is fetched from a CDN at run time.
STATICFILES_DIRS = [
    ("vendor/bootstrap", ASSETS_DIR / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", ASSETS_DIR / "bootstrap-icons" / "font"),
    ("vendor/htmx", ASSETS_DIR / "htmx.org" / "dist"),
    ("vendor/echarts", ASSETS_DIR / "echarts" / "dist"),
    BASE_DIR / "static",
]
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "jiceng.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "jiceng.core.openapi.AutoSchema",  # adds the error answers every operation can give
    "EXCEPTION_HANDLER": "jiceng.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiceng API",
    "DESCRIPTION": "基层组织建设 — organizations and member archives. Token: `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {"ApplicationStatusEnum": "jiceng.admission.models.Application.STATUSES",
                            "JobStatusEnum": "jiceng.core.models.Job.STATES",
                            "GrantRoleEnum": "jiceng.core.models.RoleGrant.ROLES",
                            "AttendanceStatusEnum": "jiceng.orglife.models.Attendance.STATUSES"},
}

# Jobs (imports and every other long task) run in their own process; tests run them in the request instead.
JICENG_JOBS_INLINE = os.environ.get("JICENG_JOBS_INLINE") == "1"
# At most this many jobs run at once (one of them writing); the others wait in the queue. JICENG_IMPORT_MAX_JOBS
# is its former name, still read.
JICENG_MAX_JOBS = int(os.environ.get("JICENG_MAX_JOBS") or os.environ.get("JICENG_IMPORT_MAX_JOBS") or "2")
# What an import file may hold (core.tabular.Budget): unpacked bytes of a workbook, the unpacked/packed
# ratio of any part over 1 MB, the cells of the sheet (rows × columns), the characters of one cell.
JICENG_IMPORT_MAX_UNCOMPRESSED = int(os.environ.get("JICENG_IMPORT_MAX_UNCOMPRESSED", str(2 << 30)))
JICENG_IMPORT_MAX_RATIO = int(os.environ.get("JICENG_IMPORT_MAX_RATIO", "100"))
JICENG_IMPORT_MAX_CELLS = int(os.environ.get("JICENG_IMPORT_MAX_CELLS", "30000000"))
JICENG_IMPORT_MAX_CELL_CHARS = int(os.environ.get("JICENG_IMPORT_MAX_CELL_CHARS", "32767"))

# Pages and menus each web process keeps for their readers until the next logged write (core.pagecache);
# 0 keeps none (every page computed: what `jiceng bench stats` also measures).
JICENG_PAGE_CACHE_ENTRIES = int(os.environ.get("JICENG_PAGE_CACHE_ENTRIES", "1000"))

# Role capabilities: which roles may read unmasked resident ID numbers.
JICENG_ID_NUMBER_ROLES = {"org_admin"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}

# Public holidays and make-up working days (调休) for counting working days (public notices).
JICENG_HOLIDAYS_FILE = Path(os.environ.get("JICENG_HOLIDAYS_FILE", BASE_DIR / "holidays.yaml"))
MEDIA_ROOT = DATA_DIR / "media"

# Attachments of admission steps: size and types (jiceng/core/attachments.py).
JICENG_ATTACHMENT_MAX_MB = float(os.environ.get("JICENG_ATTACHMENT_MAX_MB", "20"))
JICENG_ATTACHMENT_TYPES = [t.strip().lower().lstrip(".") for t in os.environ.get(
    "JICENG_ATTACHMENT_TYPES", "pdf,ofd,jpg,jpeg,png,doc,docx,xls,xlsx,wps,et").split(",") if t.strip()]

# The site's address as people reach it (https://jiceng.example.org): what the command line puts before a path it
# prints for a phone to open (a sign-in link's QR code). Pages and the API use the address of their request.
JICENG_SITE_URL = os.environ.get("JICENG_SITE_URL", "http://localhost:8000")

# Security headers (jiceng.core.middleware.SecurityHeadersMiddleware). Pages load scripts from this
# site only and carry no inline script or handler; ECharts' tooltips and Swagger UI set inline styles.
JICENG_CSP = os.environ.get("JICENG_CSP", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'"]))
JICENG_PERMISSIONS_POLICY = os.environ.get("JICENG_PERMISSIONS_POLICY", ", ".join(
    f"{feature}=()" for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
                                    "microphone", "payment", "usb")))
X_FRAME_OPTIONS = "DENY"

# Served over HTTPS (JICENG_HTTPS=1): HTTP redirected to HTTPS, cookies only over HTTPS, HSTS.
# Behind a TLS-terminating proxy, JICENG_PROXY_SSL_HEADER names the header it sets to "https"
# (e.g. X-Forwarded-Proto); only set it when the proxy always sets or strips that header.
JICENG_HTTPS = os.environ.get("JICENG_HTTPS", "0") == "1"
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = JICENG_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("JICENG_HSTS_SECONDS", "31536000")) if JICENG_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("JICENG_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("JICENG_HSTS_PRELOAD", "0") == "1"
if os.environ.get("JICENG_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + os.environ["JICENG_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"), "https")
# The HSTS preload list is for public domain names; an intranet host cannot be on it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
