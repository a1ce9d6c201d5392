from __future__ import annotations

from pathlib import Path

import pytest

from govpilot.config import Settings
from govpilot.errors import NotFound


def test_defaults_use_the_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOVPILOT_HOME", str(tmp_path))
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'govpilot.db'}"
    assert settings.models_dir == tmp_path / "models"
    assert settings.model().backend == "embedded"


def test_environment_overrides_and_json_model_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVPILOT_MAX_UPLOAD_MB", "1.5")
    monkeypatch.setenv(
        "GOVPILOT_MODELS",
        '[{"name": "vllm", "backend": "openai", "base_url": "http://127.0.0.1:9/v1",'
        ' "api_key": "secret-key"}]',
    )
    monkeypatch.setenv("GOVPILOT_DEFAULT_MODEL", "vllm")
    settings = Settings()
    assert settings.max_upload_bytes == int(1.5 * 1024 * 1024)
    model = settings.model()
    assert model.base_url == "http://127.0.0.1:9/v1"
    assert "secret-key" not in repr(model)


def test_toml_file_in_home_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "govpilot.toml").write_text(
        'department = "Housing Department"\n[[models]]\nname = "small"\nbackend = "embedded"\n'
        "context_tokens = 2048\n",
        "utf-8",
    )
    monkeypatch.setenv("GOVPILOT_HOME", str(tmp_path))
    monkeypatch.setenv("GOVPILOT_DEFAULT_MODEL", "small")
    settings = Settings()
    assert settings.department == "Housing Department"
    assert settings.model("small").context_tokens == 2048


def test_unknown_model_lists_the_known_ones() -> None:
    with pytest.raises(NotFound) as info:
        Settings().model("gpt-9")
    assert "embedded" in str(info.value)
