"""Chat models by name: `init_chat_model` strings, checked at start-up, with timeouts and fallbacks.

A model is named the way LangChain names it (`openai:gpt-4o-mini`, `anthropic:claude-…`,
`ollama:llama3.2`). Retries are the provider SDK's own: the `openai` and `anthropic` clients
retry 408/409/429/5xx and timeouts with exponential backoff and honour `Retry-After`
(`max_retries` here is passed straight to them). `OPENAI_BASE_URL` is honoured by the `openai`
SDK itself; a per-model `base_url` wins over it, for any OpenAI-compatible server (vLLM,
llama.cpp, Ollama, LM Studio). Fallback models are LangChain's `with_fallbacks`.

Nothing here reads the environment on its own account: the provider libraries read their keys
(`OPENAI_API_KEY` …) when a model is built, which is why every model is built at start-up, so a
missing key or an unknown provider is a `ModelConfigError` before any request runs.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ringmaster.agents.errors import AgentError


class ModelConfigError(AgentError):
    """A model name, its provider, its package or its key is wrong; the message says which."""


# Providers whose LangChain class takes `timeout` and `max_retries` (the SDK's own retries).
_SDK_RETRIES = {"openai", "azure_openai", "anthropic", "groq", "deepseek", "xai", "mistralai"}


class ModelConfig(BaseModel):
    """One chat model: its `init_chat_model` name and how to reach it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)  # provider:model
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    temperature: float | None = 0.0
    fallbacks: list[str] = Field(default_factory=list)  # other names, tried in order

    def with_name(self, name: str) -> ModelConfig:
        """The same connection settings for another model (used for fallbacks)."""
        return self.model_copy(update={"name": name, "fallbacks": []})


def provider_of(name: str) -> str:
    """The provider a model name resolves to, or ModelConfigError saying why there is none."""
    from ringmaster.agents.langgraph_internals import chat_model_providers, parse_chat_model

    providers = chat_model_providers()
    known = ", ".join(sorted(providers))
    prefix = name.split(":", 1)[0] if ":" in name else None
    if prefix is not None and prefix.replace("-", "_").lower() not in providers:
        raise ModelConfigError(
            f"unknown model provider {prefix!r} in {name!r} (providers: {known})"
        )
    try:
        provider = parse_chat_model(name)
    except ValueError:
        raise ModelConfigError(
            f"cannot tell the provider of model {name!r}: write it as provider:model, "
            f"for example openai:gpt-4o-mini (providers: {known})"
        ) from None
    if provider not in providers:
        raise ModelConfigError(
            f"unknown model provider {provider!r} in {name!r} (providers: {known})"
        )
    return provider


def _kwargs(config: ModelConfig, provider: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if config.temperature is not None:
        kwargs["temperature"] = config.temperature
    if config.base_url:
        kwargs["base_url"] = config.base_url
    if config.api_key is not None:
        kwargs["api_key"] = config.api_key.get_secret_value()
    if provider in _SDK_RETRIES:
        kwargs["timeout"] = config.timeout
        kwargs["max_retries"] = config.max_retries
    elif provider == "ollama":
        kwargs["client_kwargs"] = {"timeout": config.timeout}
    return kwargs


def build_chat_model(config: ModelConfig) -> BaseChatModel:
    """One chat model, built now; ModelConfigError when it cannot be."""
    from langchain.chat_models import init_chat_model

    provider = provider_of(config.name)
    if provider == "openai":  # the one provider package the `llm` extra brings
        # Checked here, not from init_chat_model's ImportError: once a process has built an
        # openai model, init_chat_model no longer raises it for a package gone missing.
        try:
            import langchain_openai  # noqa: F401
        except ImportError:
            from ringmaster.extras import missing_extra_message

            raise ModelConfigError(
                f"model {config.name!r}: " + missing_extra_message("llm", "langchain-openai")
            ) from None
    try:
        return init_chat_model(config.name, model_provider=None, **_kwargs(config, provider))  # type: ignore[no-any-return]
    except ImportError as exc:
        raise ModelConfigError(f"model {config.name!r}: {exc}") from None
    except Exception as exc:  # the provider's own check: a missing key, a bad URL …
        text = str(exc)
        if "api_key" in text or "API key" in text or "api key" in text.lower():
            raise ModelConfigError(
                f"model {config.name!r} has no API key: set the provider's key variable "
                f"(for {provider}: {_KEY_HINTS.get(provider, 'see its LangChain docs')}) "
                "or give api_key in the model's configuration"
            ) from None
        raise ModelConfigError(f"model {config.name!r} cannot be built: {text}") from None


_KEY_HINTS = {
    "openai": "OPENAI_API_KEY",
    "azure_openai": "AZURE_OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "groq": "GROQ_API_KEY",
    "mistralai": "MISTRAL_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "xai": "XAI_API_KEY",
    "google_genai": "GOOGLE_API_KEY",
}


def load_model(config: ModelConfig) -> Runnable[Any, Any]:
    """The model with its fallbacks (`with_fallbacks`), every one of them built and checked now.

    The result is a chat model when there are no fallbacks; otherwise a `RunnableWithFallbacks`
    whose `bind_tools` / `with_structured_output` apply to every model in it.
    """
    primary = build_chat_model(config)
    fallbacks = [build_chat_model(config.with_name(n)) for n in config.fallbacks]
    return primary.with_fallbacks(fallbacks) if fallbacks else primary


def model_label(model: Any) -> str:
    """A short name for a model object, for run records and logs."""
    inner = getattr(model, "runnable", model)  # RunnableWithFallbacks → its primary
    for attr in ("model_name", "model", "model_id"):
        value = getattr(inner, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(inner).__name__
