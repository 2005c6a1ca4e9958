"""Settings from the environment, and the refusal of weak secrets on team databases."""

import pytest

from app.settings import SettingsError, load_settings


def test_sqlite_default_keeps_a_generated_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("FIELDBENCH_SECRET_KEY", raising=False)
    monkeypatch.setenv("FIELDBENCH_DATA_DIR", str(tmp_path))
    first = load_settings()
    assert first.database_url == f"sqlite:///{tmp_path / 'fieldbench.db'}"
    assert len(first.secret_key) >= 32 and load_settings().secret_key == first.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_requires_a_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDBENCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    monkeypatch.delenv("FIELDBENCH_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="must be set"):
        load_settings()


@pytest.mark.parametrize("weak", ["changethis", "a" * 40, "short-key"])
def test_weak_secret_is_refused(tmp_path, monkeypatch, weak):
    monkeypatch.setenv("FIELDBENCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FIELDBENCH_SECRET_KEY", weak)
    with pytest.raises(SettingsError, match="too weak"):
        load_settings()


def test_upload_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDBENCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FIELDBENCH_MAX_UPLOAD_MB", "2")
    assert load_settings().max_upload_bytes == 2 * 1024 * 1024
