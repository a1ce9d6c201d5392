"""Docs that tests keep true: every setting and model field is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from govpilot.config import (
    AuthSettings,
    CaseMailSettings,
    CaseSettings,
    JobSettings,
    ModelConfig,
    OidcSettings,
    PrivacySettings,
    RetrievalSettings,
    Settings,
)

DOC = (Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text("utf-8")


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC and f"`GOVPILOT_{field.upper()}`" in DOC


@pytest.mark.parametrize("field", sorted(ModelConfig.model_fields))
def test_every_model_field_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC


@pytest.mark.parametrize("field", sorted(PrivacySettings.model_fields))
def test_every_privacy_field_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC


@pytest.mark.parametrize("field", sorted(RetrievalSettings.model_fields))
def test_every_retrieval_field_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC


@pytest.mark.parametrize("field", sorted(AuthSettings.model_fields))
def test_every_auth_field_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC


@pytest.mark.parametrize("field", sorted(OidcSettings.model_fields))
def test_every_single_sign_on_field_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC


@pytest.mark.parametrize("field", sorted(JobSettings.model_fields))
def test_every_job_field_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC


@pytest.mark.parametrize(
    "field", sorted({*CaseSettings.model_fields, *CaseMailSettings.model_fields})
)
def test_every_case_desk_field_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC
