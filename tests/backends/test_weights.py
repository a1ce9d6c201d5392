from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from govpilot.backends.weights import EXPECTED_SIZE, check_gguf, concatenate_verified
from govpilot.errors import ModelUnavailable


def make_parts(tmp_path: Path, payload: bytes, count: int = 3) -> list[Path]:
    size = len(payload) // count + 1
    parts = []
    for i in range(count):
        part = tmp_path / f"part{i:02d}.bin"
        part.write_bytes(payload[i * size : (i + 1) * size])
        parts.append(part)
    return parts


def test_parts_are_concatenated_in_order_and_verified(tmp_path: Path) -> None:
    payload = b"GGUF" + bytes(range(256)) * 40
    target = tmp_path / "models" / "m.gguf"
    seen: list[int] = []
    concatenate_verified(
        make_parts(tmp_path, payload),
        target,
        len(payload),
        hashlib.sha256(payload).hexdigest(),
        lambda done, total: seen.append(done),
    )
    assert target.read_bytes() == payload
    assert seen[-1] == len(payload)
    check_gguf(target)


@pytest.mark.parametrize("problem", ["size", "sha", "magic"])
def test_a_bad_assembly_leaves_nothing_behind(tmp_path: Path, problem: str) -> None:
    payload = (b"GGUF" if problem != "magic" else b"ZZZZ") + b"x" * 1000
    size = len(payload) + (1 if problem == "size" else 0)
    sha = hashlib.sha256(b"other" if problem == "sha" else payload).hexdigest()
    target = tmp_path / "m.gguf"
    with pytest.raises(ModelUnavailable):
        concatenate_verified(make_parts(tmp_path, payload), target, size, sha)
    assert not target.exists() and not target.with_suffix(".partial").exists()


def test_check_gguf_explains_missing_and_wrong_files(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="does not exist"):
        check_gguf(tmp_path / "none.gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailable, match="not a GGUF file"):
        check_gguf(bad)
    assert EXPECTED_SIZE == 1_117_320_768
