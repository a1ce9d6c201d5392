"""The subset of OpenAI's chat completions API that govpilot serves at /v1."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from govpilot.backends.llm import ChatMessage
from govpilot.errors import InputError


class ContentPart(BaseModel):
    """One part of a message's content; only text parts are supported."""

    type: str
    text: str | None = None


class MessageIn(BaseModel):
    """A message of the conversation."""

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[ContentPart] | None = None
    name: str | None = None

    def to_chat_message(self) -> ChatMessage:
        """The backend's message; `developer` is OpenAI's newer name for `system`."""
        role = "system" if self.role == "developer" else self.role
        if self.content is None or isinstance(self.content, str):
            return ChatMessage(role, self.content or "")
        texts = []
        for part in self.content:
            if part.type != "text" or part.text is None:
                raise InputError(
                    f"message content of type {part.type!r} is not supported",
                    hint="Send text content only.",
                )
            texts.append(part.text)
        return ChatMessage(role, "".join(texts))


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """A chat completion request; fields govpilot does not use are ignored."""

    model: str | None = Field(default=None, description="A model id from /v1/models")
    messages: list[MessageIn] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    n: int = Field(default=1, ge=1, le=1, description="Only one choice is generated")
    stream: bool = False
    stream_options: StreamOptions | None = None


class UsagePublic(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: str


class ChatCompletion(BaseModel):
    """A finished answer; `model` is the id of the model that really answered."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: UsagePublic


class Delta(BaseModel):
    """What a chunk adds; fields it does not set are left out, as OpenAI does."""

    role: Literal["assistant"] | None = None
    content: str | None = None

    @model_serializer(mode="wrap")
    def _without_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: str | None = None


class ChatCompletionChunk(BaseModel):
    """One streamed piece of an answer (sent as the data of a server-sent event)."""

    model_config = ConfigDict(protected_namespaces=())

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: UsagePublic | None = None


class ModelPublic(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelPublic]


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str = Field(examples=["invalid_request_error"])
    param: str | None = None
    code: str | None = Field(default=None, examples=["model_not_found"])
    hint: str | None = Field(default=None, description="govpilot's advice on what to do next")


class OpenAIErrorResponse(BaseModel):
    """The body of every error response under /v1, as OpenAI sends it."""

    error: OpenAIErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": OpenAIErrorResponse, "description": description}
    for status, description in [
        (400, "The request cannot be used as given"),
        (404, "No model of that name"),
        (413, "The conversation is over the size limit"),
        (422, "Invalid request"),
        (503, "The model is unavailable"),
    ]
}
