"""Configuration from ANBAO_* environment variables (DESIGN.md §5)."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance: Path) -> str:
    """Use ANBAO_SECRET_KEY, else a key made once and kept in the instance folder."""
    if key := os.environ.get("ANBAO_SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _hour_minute(value: str) -> tuple[int, int]:
    hour, _sep, minute = value.partition(":")
    return int(hour), int(minute or 0)


def from_env() -> dict:
    """Flask settings derived from the environment."""
    env = os.environ
    instance = Path(env.get("ANBAO_INSTANCE_PATH") or ROOT / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    database_url = env.get("ANBAO_DATABASE_URL") or f"sqlite:///{instance / 'anbao.db'}"
    return {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": env.get("ANBAO_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        "TIMEZONE": env.get("ANBAO_TIMEZONE", "Asia/Shanghai"),
        "SMTP_URL": env.get("ANBAO_SMTP_URL", ""),
        "TOKEN_TTL": timedelta(hours=int(env.get("ANBAO_TOKEN_TTL_HOURS", "12"))),
        "RATELIMIT_STORAGE_URI": env.get("ANBAO_RATELIMIT_STORAGE_URL", "memory://"),
        "STORAGE_PATH": env.get("ANBAO_STORAGE_PATH"),  # None: instance/files
        "SCHEDULER_INTERVAL": int(env.get("ANBAO_SCHEDULER_INTERVAL", "60")),
        "SCHEDULER_POLL": float(env.get("ANBAO_SCHEDULER_POLL", "10")),
        "SCHEDULER_DAILY_AT": _hour_minute(env.get("ANBAO_SCHEDULER_DAILY_AT", "06:30")),
        "SESSION_COOKIE_SECURE": env.get("ANBAO_BASE_URL", "").startswith("https://"),
        "TRUSTED_PROXIES": int(env.get("ANBAO_TRUSTED_PROXIES", "0")),
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "WTF_CSRF_CHECK_DEFAULT": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ("zh_CN", "en"),
    "BOOTSTRAP_SERVE_LOCAL": True,
    "API_TITLE": "Anbao API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "RATELIMIT_HEADERS_ENABLED": True,
    # argon2id; tests lower these to keep the suite quick
    "ARGON2": {"time_cost": 3, "memory_cost": 65536, "parallelism": 2},
    "LOGIN_FAILURE_LIMIT": 10,
    "LOGIN_FAILURE_WINDOW": timedelta(minutes=15),
    "AUTH_TOKEN_RATE_LIMIT": "60 per minute",
}
