"""Settings read from the environment once per process.

`DATABASE_URL` picks the database (a SQLite file under the data folder by default).
`FIELDBENCH_SECRET_KEY` signs session cookies: on SQLite, when unset, a random key is made
once and kept in the data folder; on PostgreSQL (a team server) it is required and a weak
key is refused, because several app instances must share it and a guessable one lets anyone
forge a session.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEAK_KEYS = {"changethis", "change-me", "secret", "fieldbench", "password", "development"}
MIN_KEY_LENGTH = 32


class SettingsError(RuntimeError):
    """The environment asks for something the service refuses to start with."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    data_dir: Path
    max_upload_bytes: int
    secure_cookies: bool
    argon2_profile: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _data_dir() -> Path:
    path = Path(os.environ.get("FIELDBENCH_DATA_DIR", "data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_secret(data_dir: Path) -> str:
    """The SQLite default: one random key, made on first start and kept beside the database."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def check_secret(key: str) -> str:
    """Refuse a key that is short or a well-known placeholder."""
    if len(key) < MIN_KEY_LENGTH or key.lower() in WEAK_KEYS or len(set(key)) < 10:
        raise SettingsError(
            f"FIELDBENCH_SECRET_KEY is too weak: use at least {MIN_KEY_LENGTH} random "
            "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return key


def load_settings() -> Settings:
    data_dir = _data_dir()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'fieldbench.db'}"
    key = os.environ.get("FIELDBENCH_SECRET_KEY", "")
    if key:
        key = check_secret(key)
    elif url.startswith("sqlite"):
        key = _stored_secret(data_dir)
    else:
        raise SettingsError("FIELDBENCH_SECRET_KEY must be set when the database is not SQLite")
    upload_mb = float(os.environ.get("FIELDBENCH_MAX_UPLOAD_MB", "20"))
    return Settings(
        database_url=url,
        secret_key=key,
        data_dir=data_dir,
        max_upload_bytes=int(upload_mb * 1024 * 1024),
        secure_cookies=os.environ.get("FIELDBENCH_SECURE_COOKIES", "") == "1",
        argon2_profile=os.environ.get("FIELDBENCH_ARGON2_PROFILE", "RFC_9106_LOW_MEMORY"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
