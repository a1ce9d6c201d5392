"""Build ChatModel instances, and the speech recogniser, from settings."""

from __future__ import annotations

from govpilot.backends.llm import ChatModel
from govpilot.backends.speech import SpeechRecogniser
from govpilot.config import ModelConfig, Settings
from govpilot.errors import ConfigError


def build_model(cfg: ModelConfig, settings: Settings) -> ChatModel:
    """The backend a ModelConfig describes (nothing is loaded until first use)."""
    if cfg.backend == "embedded":
        from govpilot.backends.embedded import LlamaCppModel
        from govpilot.backends.weights import default_gguf_path

        path = cfg.gguf_path or default_gguf_path(settings.models_dir)
        return LlamaCppModel(cfg.name, path, context_tokens=cfg.context_tokens, threads=cfg.threads)
    if cfg.backend == "openai":
        if not cfg.base_url:
            raise ConfigError(
                f"model {cfg.name!r} uses the openai backend but has no base_url",
                hint="set base_url, e.g. http://127.0.0.1:8080/v1",
            )
        from govpilot.backends.openai_compat import OpenAICompatibleModel

        return OpenAICompatibleModel.from_config(cfg)
    raise ConfigError(
        f"model {cfg.name!r} has backend {cfg.backend!r}, which cannot be built from settings",
        hint="use 'embedded' or 'openai'",
    )


def build_models(settings: Settings) -> list[ChatModel]:
    """Every configured model; one with `servers` or `fallback` routed over them."""
    from govpilot.backends.router import RoutedModel

    single = {cfg.name: build_model(cfg, settings) for cfg in settings.models}
    built: list[ChatModel] = []
    for cfg in settings.models:
        if not cfg.servers and not cfg.fallback:
            built.append(single[cfg.name])
            continue
        if cfg.servers and cfg.backend != "openai":
            raise ConfigError(
                f"model {cfg.name!r} lists servers, which only the openai backend has",
                hint="use backend = 'openai', or leave servers empty",
            )
        replicas = [single[cfg.name]] + [
            build_model(cfg.model_copy(update={"base_url": url, "servers": []}), settings)
            for url in cfg.servers
        ]
        fallbacks = []
        for name in cfg.fallback:
            if name == cfg.name or name not in single:
                known = ", ".join(n for n in single if n != cfg.name) or "none"
                raise ConfigError(
                    f"model {cfg.name!r} falls back to {name!r}, which is not another "
                    "configured model",
                    hint=f"name one of: {known}",
                )
            fallbacks.append(single[name])
        built.append(RoutedModel(cfg.name, replicas, fallbacks, cooldown_s=cfg.cooldown_s))
    return built


def build_recogniser(settings: Settings) -> SpeechRecogniser:
    """The speech recogniser `[speech]` describes (nothing is loaded until first use)."""
    speech = settings.speech
    if speech.backend == "openai":
        if not speech.base_url:
            raise ConfigError(
                "speech uses the openai backend but has no base_url",
                hint="set speech.base_url, e.g. http://asr.internal:8000/v1",
            )
        from govpilot.backends.speech_openai import OpenAITranscriptionRecogniser

        return OpenAITranscriptionRecogniser(
            speech.base_url,
            model=speech.model,
            api_key=speech.api_key.get_secret_value() if speech.api_key else None,
        )
    from govpilot.backends.speech_weights import whisper_dir
    from govpilot.backends.whisper import FasterWhisperRecogniser

    return FasterWhisperRecogniser(
        speech.model_dir or whisper_dir(settings.models_dir),
        vad=speech.vad,
        beam_size=speech.beam_size,
    )
