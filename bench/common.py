"""What the benchmarks share: data paths, the embedded model, timing, tables."""

from __future__ import annotations

import os
import resource
import statistics
import sys
from pathlib import Path

from govpilot.backends.embedded import LlamaCppModel
from govpilot.backends.weights import default_gguf_path
from govpilot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GOVPILOT_DATA_DIR", ROOT.parent / "shared" / "data"))


def require_data(*parts: str) -> Path:
    """A path under the shared evaluation data, or exit with a clear message."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        sys.exit(f"benchmark data not found: {path} (set GOVPILOT_DATA_DIR to ../shared/data)")
    return path


def read_lines(path: Path, limit: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[:limit]


def embedded_model(context_tokens: int = 4096) -> LlamaCppModel:
    """The default embedded model, as `govpilot setup` assembled it."""
    path = default_gguf_path(Settings().models_dir)
    if not path.is_file():
        sys.exit(f"embedded model not found at {path}: run `govpilot setup` (or `make model`)")
    return LlamaCppModel("embedded", path, context_tokens=context_tokens)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)
