"""Typed settings read from the environment, with development secrets kept in instance/."""

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "REGISTRY_"
ENVIRONMENTS = ("development", "testing", "production")
MIN_SECRET_LENGTH = 32
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class SettingsError(RuntimeError):
    """The settings cannot be used to start the service."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its surroundings, once, at start-up."""

    env: str = "development"
    instance_path: Path = field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = ""
    # PostgreSQL: `registry db upgrade` connects as the tables' owner when this is set, then
    # grants the runtime role (the one database_url connects as) what the service needs.
    migration_database_url: str = field(default="", repr=False)
    runtime_role: str = ""
    secret_key: str = field(default="", repr=False)
    audit_key: str = field(default="", repr=False)
    audit_key_id: str = "k1"
    # Any request body larger than this is refused with 413 before it is read.
    max_content_length: int = 12 * 1024 * 1024
    # Credential documents (PDF, PNG, JPEG) are kept under instance_path/documents.
    max_document_bytes: int = 10 * 1024 * 1024
    # Images larger than this (width × height, read from the header) are refused; Pillow's own
    # guard refuses anything over about 179 million whatever this says.
    max_image_pixels: int = 40_000_000
    # Each clinic's share of document storage: every document its credentials ever had, a
    # replaced one included.
    clinic_storage_quota_mb: int = 500
    # Audit reports: the renderer's limits, and the key and certificate that sign them (PEM).
    # Unset in development, a key is generated into instance/ on first use; unset elsewhere,
    # reports are issued unsigned.
    report_timeout: int = 120
    report_memory_mb: int = 1536
    report_signing_key: Path | None = None
    report_signing_cert: Path | None = None
    # Importers: openFDA (an API key lifts the daily limit), HTTP timeouts and retries, and
    # extra roster configurations (TOML files) beside the ones shipped in importers/rosters/.
    openfda_url: str = "https://api.fda.gov"
    openfda_api_key: str = field(default="", repr=False)
    http_connect_timeout: float = 5.0
    http_read_timeout: float = 60.0
    http_retries: int = 4
    http_backoff: float = 1.0
    import_chunk_size: int = 1000
    rosters_path: Path | None = None
    # The scheduler: "job=when" pairs separated by ";" (see the README for the forms of when).
    schedule: str = ("recalls=daily at 05:30; cosmetic_events=monday at 06:15; "
                     "rosters=daily at 04:00; reminders=daily at 07:00; "
                     "audit_checkpoint=daily at 03:30")
    # Expiry reminders go out this many days ahead (each threshold once), by email when an SMTP
    # server is set.
    reminder_days: str = "60,30,7"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    mail_from: str = "Pigment Registry <registry@localhost>"
    log_level: str = "INFO"
    # How many reverse proxies stand in front of the service; their X-Forwarded-For and
    # X-Forwarded-Proto then give the client's address (for the sign-in throttle) and scheme.
    # 0 trusts no such header: a client could send them itself.
    trusted_proxies: int = 0
    # Signed audit chain head checkpoints (`registry audit checkpoint`); instance/checkpoints
    # when unset. Keep them off the database's host.
    audit_checkpoint_dir: Path | None = None
    # Where the rule packs are read from; the checkout's jurisdictions/ when unset.
    jurisdictions_path: Path | None = None
    # True when a secret above was generated into instance/ rather than supplied.
    uses_development_secrets: bool = False

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict:
        """The subset Flask and its extensions read from app.config."""
        return {
            "SECRET_KEY": self.secret_key,
            "TESTING": self.env == "testing",
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "MAX_DOCUMENT_BYTES": self.max_document_bytes,
            "MAX_IMAGE_PIXELS": self.max_image_pixels,
            "CLINIC_STORAGE_QUOTA_BYTES": self.clinic_storage_quota_mb * 1024 * 1024,
            "DOCUMENTS_PATH": str(self.instance_path / "documents"),
            "REPORTS_PATH": str(self.instance_path / "reports"),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.is_production,
        }


def _coerce(name: str, raw: str, kind):
    if kind is int:
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be a whole number") from exc
    if kind is float:
        try:
            return float(raw)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be a number") from exc
    if kind is bool:
        if raw.lower() not in BOOLEANS:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be true or false")
        return BOOLEANS[raw.lower()]
    if kind is Path:
        return Path(raw)
    return raw


def _development_secret(instance_path: Path, name: str) -> str:
    """Read a secret generated on first run, or generate and keep it (owner-only file)."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def load_settings(environ=None, **overrides) -> Settings:
    """Build Settings from REGISTRY_* variables, then overrides (used by tests)."""
    environ = os.environ if environ is None else environ
    types = {f.name: f.type for f in fields(Settings)}
    values = {}
    for name, kind in types.items():
        if name == "uses_development_secrets":
            continue
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw not in (None, ""):
            values[name] = _coerce(name, raw, Path if kind in (Path, Path | None) else kind)
    values.update(overrides)

    env = values.get("env", "development")
    if env not in ENVIRONMENTS:
        raise SettingsError(f"REGISTRY_ENV must be one of {', '.join(ENVIRONMENTS)}")
    instance_path = Path(values.get("instance_path") or Path.cwd() / "instance").resolve()
    values["instance_path"] = instance_path

    generated = False
    for secret in ("secret_key", "audit_key"):
        if not values.get(secret):
            if env == "production":
                raise SettingsError(
                    f"{ENV_PREFIX}{secret.upper()} must be set in production; "
                    "development secrets are refused"
                )
            values[secret] = _development_secret(instance_path, secret)
            generated = True
        elif env == "production" and _is_development_secret(instance_path, secret, values[secret]):
            raise SettingsError(
                f"{ENV_PREFIX}{secret.upper()} is the generated development secret; "
                "set a production secret"
            )
        if env == "production" and len(values[secret]) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"{ENV_PREFIX}{secret.upper()} must be at least {MIN_SECRET_LENGTH} characters"
            )

    if values.get("trusted_proxies", 0) < 0:
        raise SettingsError(f"{ENV_PREFIX}TRUSTED_PROXIES must be 0 or more")

    if not values.get("database_url"):
        if env == "production":
            raise SettingsError("REGISTRY_DATABASE_URL must be set in production")
        instance_path.mkdir(parents=True, exist_ok=True)
        values["database_url"] = f"sqlite:///{instance_path / 'registry.sqlite3'}"

    return Settings(**values, uses_development_secrets=generated)


def _is_development_secret(instance_path: Path, name: str, value: str) -> bool:
    path = instance_path / name
    return path.exists() and path.read_text().strip() == value
