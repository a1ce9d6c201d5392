"""A chat model behind any OpenAI-compatible server (vLLM, llama.cpp server, Ollama, hosted).

Errors, once retries are spent:

    cannot connect, DNS, timeout          ModelUnavailable   (the server is not there for us)
    401 / 403                             ModelUnavailable   (hint: the api_key)
    404 from chat/completions             ModelUnavailable   (names the model, lists offered ones)
    any other 4xx / 5xx                   ModelResponseError (status + body excerpt)
    malformed JSON or SSE                 ModelResponseError
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from govpilot.backends.llm import (
    LOGPROB_POSITIONS,
    ChatMessage,
    Completion,
    GenerationOptions,
    ModelCapabilities,
    TokenChoice,
    Usage,
    estimate_tokens,
)
from govpilot.config import ModelConfig
from govpilot.errors import ConfigError, GovpilotError, ModelResponseError, ModelUnavailable

log = logging.getLogger(__name__)

CHAT_PATH = "/chat/completions"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# A server asking us to wait longer than this is, for an interactive caller, down.
MAX_RETRY_AFTER_S = 30.0
# Connecting is quick or never; only generation deserves the long timeout.
CONNECT_TIMEOUT_S = 10.0
EXCERPT_CHARS = 200
CONFIG_HINT = "GOVPILOT_MODELS (or [[models]] in govpilot.toml)"
_VERSION_SEGMENT = re.compile(r"/v\d+[a-z0-9]*$")


def normalise_base_url(url: str) -> str:
    """The API root (ending in `/v1` unless another version is given) from what a user pasted."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"model base_url {_without_userinfo(url)!r} is not an http(s) URL",
            hint="give the server's API root, e.g. http://localhost:8000/v1",
        )
    path = parts.path.rstrip("/")
    if path.endswith(CHAT_PATH):  # people paste the full endpoint from server docs
        path = path[: -len(CHAT_PATH)]
    if not _VERSION_SEGMENT.search(path):
        path += "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url.strip())
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class OpenAICompatibleModel:
    """A ChatModel served over HTTP by any server that speaks the OpenAI chat API."""

    backend = "openai"

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        api_key: str | None = None,
        remote_model: str | None = None,
        timeout_s: float = 120.0,
        retries: int = 3,
        context_tokens: int = 8192,
        external: bool = False,
        transport: httpx.BaseTransport | None = None,
        backoff_s: float = 0.5,
    ) -> None:
        self.name = name
        self.base_url = normalise_base_url(base_url)
        self.remote_model = remote_model
        self.timeout_s = timeout_s
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self.capabilities = ModelCapabilities(context_tokens=context_tokens, external=external)
        self._api_key = api_key or None
        self._safe_url = _without_userinfo(self.base_url)
        #: How routing and the audit log name this server (no credentials in it).
        self.server_label = self._safe_url
        self._stream_usage = True  # cleared once a server proves it rejects stream_options
        self._sleep: Callable[[float], None] = (
            time.sleep
        )  # a seam: tests record waits instead of sleeping
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, CONNECT_TIMEOUT_S)),
            transport=transport,
        )

    @classmethod
    def from_config(cls, cfg: ModelConfig) -> OpenAICompatibleModel:
        """Build the model from one configured `ModelConfig` (backend = "openai")."""
        if not cfg.base_url:
            raise ConfigError(
                f"model {cfg.name!r} uses the openai backend but has no base_url",
                hint=f"set its base_url, e.g. http://localhost:8000/v1, in {CONFIG_HINT}",
            )
        return cls(
            cfg.name,
            cfg.base_url,
            api_key=cfg.api_key.get_secret_value() if cfg.api_key else None,
            remote_model=cfg.remote_model,
            timeout_s=cfg.timeout_s,
            retries=cfg.retries,
            context_tokens=cfg.context_tokens,
            external=cfg.external,
        )

    def __repr__(self) -> str:
        key = "'***'" if self._api_key else "None"
        return (
            f"OpenAICompatibleModel(name={self.name!r}, base_url={self._safe_url!r}, "
            f"remote_model={self.remote_model!r}, api_key={key})"
        )

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._client.close()

    # -- the ChatModel protocol ---------------------------------------------------------

    def complete(self, messages: Sequence[ChatMessage], options: GenerationOptions) -> Completion:
        """Answer the conversation in one request."""
        return self._complete(messages, options, self.retries)

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Generator[str, None, Completion]:
        """Yield the answer as the server sends it; return the Completion at the end."""
        model = self._resolve_model(self.retries)
        payload = self._payload(model, messages, options) | {"stream": True}
        response = self._open_stream(payload, model)
        pieces: list[str] = []
        places: list[tuple[TokenChoice, ...]] = []
        answered_by, finish, usage = model, "stop", None
        try:
            for event in self._sse_events(response):
                if event.get("error"):
                    raise ModelResponseError(
                        f"model server at {self._safe_url} failed mid-answer: "
                        f"{self._excerpt(json.dumps(event['error'], ensure_ascii=False))}",
                        hint="see the model server's logs",
                    )
                answered_by = event.get("model") or answered_by
                usage = event.get("usage") or usage
                for choice in event.get("choices") or ():
                    places.extend(token_alternatives(choice.get("logprobs")))
                    delta = (choice.get("delta") or {}).get("content")
                    if delta:
                        pieces.append(delta)
                        yield delta
                    finish = choice.get("finish_reason") or finish
        except httpx.TransportError as exc:
            # Never retried: the caller has already shown part of the answer.
            raise self._transport_error(exc) from exc
        finally:
            response.close()
        text = "".join(pieces)
        return Completion(
            text,
            str(answered_by),
            self._usage(usage, messages, text),
            finish,
            alternatives=tuple(places[:LOGPROB_POSITIONS]),
        )

    def count_tokens(self, text: str) -> int:
        """An estimate: OpenAI-compatible servers rarely expose their tokenizer."""
        return estimate_tokens(text)

    # -- used by `govpilot models` ------------------------------------------------------

    def list_remote_models(self) -> list[str]:
        """The model ids the server offers (GET /v1/models)."""
        return self._list_models(self.retries)

    def health_check(self) -> tuple[bool, str]:
        """Ask once, without retries, for a 4-token answer: (ok, latency or the error)."""
        started = time.perf_counter()
        try:
            answer = self._complete(
                [ChatMessage("user", "Reply with OK.")], GenerationOptions(max_tokens=4), 0
            )
        except GovpilotError as exc:
            return False, str(exc)
        elapsed_ms = (time.perf_counter() - started) * 1000
        return True, f"{answer.model_id} answered in {elapsed_ms:.0f} ms"

    # -- internals ----------------------------------------------------------------------

    def _complete(
        self, messages: Sequence[ChatMessage], options: GenerationOptions, retries: int
    ) -> Completion:
        model = self._resolve_model(retries)
        payload = self._payload(model, messages, options)
        response = self._send("POST", CHAT_PATH, payload, retries=retries)
        self._raise_for_status(response, model)
        data = self._json(response.text)
        try:
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ModelResponseError(
                f"model server at {self._safe_url} sent an answer without choices[0].message: "
                f"{self._excerpt(response.text)}",
                hint="check that base_url points at an OpenAI-compatible chat API",
            ) from None
        return Completion(
            text=text,
            model_id=str(data.get("model") or model),
            usage=self._usage(data.get("usage"), messages, text),
            finish_reason=choice.get("finish_reason") or "stop",
            alternatives=token_alternatives(choice.get("logprobs")),
        )

    def _resolve_model(self, retries: int) -> str:
        if self.remote_model is None:
            offered = self._list_models(retries)
            if not offered:
                raise ModelUnavailable(
                    f"model server at {self._safe_url} lists no models",
                    hint=f"load a model on the server or set remote_model of {self.name!r}",
                )
            self.remote_model = offered[0]
        return self.remote_model

    def _list_models(self, retries: int) -> list[str]:
        response = self._send("GET", "/models", retries=retries)
        if response.status_code == 404:
            raise ModelUnavailable(
                f"model server at {self._safe_url} has no /models endpoint",
                hint=f"set remote_model of {self.name!r} explicitly, or check its base_url",
            )
        self._raise_for_status(response, None)
        data = self._json(response.text)
        try:
            return [str(item["id"]) for item in data["data"]]
        except (KeyError, TypeError):
            raise ModelResponseError(
                f"model server at {self._safe_url} sent a model list without data[].id: "
                f"{self._excerpt(response.text)}"
            ) from None

    def _payload(
        self, model: str, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
        }
        if options.stop:  # some servers reject an empty list
            payload["stop"] = list(options.stop)
        if options.seed is not None:
            payload["seed"] = options.seed
        if options.top_logprobs > 0:
            payload["logprobs"] = True
            payload["top_logprobs"] = min(options.top_logprobs, 20)  # OpenAI's maximum
        return payload

    def _send(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None = None,
        *,
        retries: int,
        stream: bool = False,
    ) -> httpx.Response:
        """Send, retrying transient failures; return the last response whatever its status."""
        attempt = 0
        while True:
            try:
                request = self._client.build_request(method, path, json=payload)
                response = self._client.send(request, stream=stream)
            except httpx.TransportError as exc:  # timeouts included
                if attempt >= retries:
                    raise self._transport_error(exc) from exc
                delay, reason = self._backoff(attempt, None), type(exc).__name__
            else:
                if response.status_code not in RETRY_STATUSES or attempt >= retries:
                    return response
                delay = self._backoff(attempt, response.headers.get("retry-after"))
                reason = f"HTTP {response.status_code}"
                response.close()
            log.warning(
                "model %s: %s from %s; retry %d of %d in %.2f s",
                self.name, reason, self._safe_url, attempt + 1, retries, delay,
            )  # fmt: skip
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = _parse_retry_after(retry_after)
        if wait is None:
            wait = self.backoff_s * 2**attempt
            # Jitter so the clients of many workers don't retry in lockstep.
            wait += random.uniform(0, wait / 10)
        return min(wait, MAX_RETRY_AFTER_S)

    def _open_stream(self, payload: dict[str, Any], model: str) -> httpx.Response:
        with_usage = self._stream_usage
        if with_usage:
            payload["stream_options"] = {"include_usage": True}
        response = self._send("POST", CHAT_PATH, payload, retries=self.retries, stream=True)
        if with_usage and response.status_code in (400, 422):
            # Older vLLM / llama.cpp builds reject the option; usage is estimated instead.
            response.close()
            del payload["stream_options"]
            response = self._send("POST", CHAT_PATH, payload, retries=self.retries, stream=True)
            if response.is_success:
                self._stream_usage = False
        if not response.is_success:
            try:
                response.read()
                self._raise_for_status(response, model)
            finally:
                response.close()
        return response

    def _sse_events(self, response: httpx.Response) -> Iterator[dict[str, Any]]:
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue  # blank separators, ": keep-alive" comments, event:/id: fields
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                event = json.loads(data)
            except ValueError:
                event = None
            if not isinstance(event, dict):
                raise ModelResponseError(
                    f"model server at {self._safe_url} sent a malformed stream event: "
                    f"{self._excerpt(data)}"
                )
            yield event

    def _raise_for_status(self, response: httpx.Response, model: str | None) -> None:
        if response.is_success:
            return
        status, body, url = response.status_code, self._excerpt(response.text), self._safe_url
        if status in (401, 403):
            hint = (
                f"check the api_key of model {self.name!r} in {CONFIG_HINT}"
                if self._api_key
                else f"this server needs an api_key: set one for {self.name!r} in {CONFIG_HINT}"
            )
            raise ModelUnavailable(
                f"model server at {url} refused the credentials (HTTP {status}): {body}", hint=hint
            )
        if status == 404 and model is not None:
            offered = self._offered_models()
            if offered and model not in offered:
                raise ModelUnavailable(
                    f"model server at {url} has no model {model!r}",
                    hint=f"set remote_model of {self.name!r} to one of: {', '.join(offered[:10])}",
                )
            raise ModelUnavailable(
                f"model server at {url} answered HTTP 404 for {CHAT_PATH}: {body}",
                hint="check base_url: it should be the API root, e.g. http://host:8000/v1",
            )
        if status == 429:
            hint = "the server is rate-limiting; try again later or raise its limits"
        elif status >= 500:
            hint = "the model server failed; see its logs"
        else:
            hint = "the server rejected the request; check remote_model and the prompt's length"
        raise ModelResponseError(f"model server at {url} answered HTTP {status}: {body}", hint=hint)

    def _offered_models(self) -> list[str]:
        try:
            return self._list_models(0)
        except GovpilotError:
            return []  # the listing is only a courtesy in an error message

    def _transport_error(self, exc: httpx.TransportError) -> ModelUnavailable:
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            return ModelUnavailable(
                f"model server at {self._safe_url} did not answer within {self.timeout_s:g} s",
                hint=f"the server may be overloaded or loading; raise timeout_s of {self.name!r}",
            )
        return ModelUnavailable(
            f"cannot reach model server at {self._safe_url}: {str(exc) or type(exc).__name__}",
            hint=f"check that the server is running and the base_url of {self.name!r} "
            f"in {CONFIG_HINT}",
        )

    def _json(self, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            raise ModelResponseError(
                f"model server at {self._safe_url} sent malformed JSON: {self._excerpt(text)}",
                hint="check that base_url points at an OpenAI-compatible API, not a web page",
            ) from None

    def _excerpt(self, text: str) -> str:
        text = " ".join(text.split())
        if self._api_key:  # some servers echo the key they refused
            text = text.replace(self._api_key, "***")
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"

    def _usage(self, raw: Any, messages: Sequence[ChatMessage], text: str) -> Usage:
        raw = raw if isinstance(raw, dict) else {}
        prompt, completion = raw.get("prompt_tokens"), raw.get("completion_tokens")
        if not isinstance(prompt, int):
            prompt = sum(estimate_tokens(m.content) for m in messages)
        if not isinstance(completion, int):
            completion = estimate_tokens(text)
        return Usage(prompt, completion)


def token_alternatives(logprobs: Any) -> tuple[tuple[TokenChoice, ...], ...]:
    """The `top_logprobs` of an OpenAI-style `choices[].logprobs`, first places only.

    Servers that ignore the request send nothing; a malformed entry is skipped, never fatal.
    """
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    places: list[tuple[TokenChoice, ...]] = []
    for entry in (content or [])[:LOGPROB_POSITIONS]:
        top = entry.get("top_logprobs") if isinstance(entry, dict) else None
        choices = tuple(
            TokenChoice(str(t["token"]), float(t["logprob"]))
            for t in top or ()
            if isinstance(t, dict) and "token" in t and "logprob" in t
        )
        if choices:
            places.append(choices)
    return tuple(places)
