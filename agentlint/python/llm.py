"""LLM clients as data for ``clients``: the openai and anthropic SDKs and LangChain chat models.

Facts from ``shared/frameworks.md`` sections 1 and 9, checked against the packages: the SDK clients
default to 600 s (``Timeout(600, connect=5)``) and ``timeout=None`` disables it, per client, per
``with_options`` copy or per call; LangChain's ``ChatOpenAI`` and ``ChatAnthropic`` default to **no**
timeout at all (they hand ``timeout=None`` to the SDK client).
"""

from __future__ import annotations

from agentlint.ir import Bound, BoundStatus, CallKind, Provenance
from agentlint.python.clients import Catalog, ClientSpec, always, never
from agentlint.python.http import httpx_timeout

MODULES = ("openai", "anthropic", "langchain_openai", "langchain_anthropic")

CANONICAL = {
    "openai._client.OpenAI": "openai.OpenAI",
    "openai._client.AsyncOpenAI": "openai.AsyncOpenAI",
    "openai.lib.azure.AzureOpenAI": "openai.AzureOpenAI",
    "openai.lib.azure.AsyncAzureOpenAI": "openai.AsyncAzureOpenAI",
    "anthropic._client.Anthropic": "anthropic.Anthropic",
    "anthropic._client.AsyncAnthropic": "anthropic.AsyncAnthropic",
    "langchain_openai.chat_models.ChatOpenAI": "langchain_openai.ChatOpenAI",
    "langchain_openai.chat_models.base.ChatOpenAI": "langchain_openai.ChatOpenAI",
    "langchain_openai.chat_models.AzureChatOpenAI": "langchain_openai.AzureChatOpenAI",
    "langchain_anthropic.chat_models.ChatAnthropic": "langchain_anthropic.ChatAnthropic",
}

# The SDK clients (and LangChain's chat models, which build one) retry twice by default
# (``DEFAULT_MAX_RETRIES = 2``, shared/frameworks.md section 9).
_SDK_DEFAULT = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT,
                     detail="the SDK default of 600 s", value=600.0)
_OPENAI_METHODS = frozenset({
    "chat.completions.create", "chat.completions.parse", "chat.completions.stream", "beta.chat.completions.parse",
    "completions.create", "responses.create", "responses.parse", "responses.stream", "embeddings.create",
})
_ANTHROPIC_METHODS = frozenset({"messages.create", "messages.stream", "messages.parse", "beta.messages.create",
                                "completions.create"})
_RUNNABLE_METHODS = frozenset({"invoke", "ainvoke", "stream", "astream", "batch", "abatch", "generate", "agenerate"})
_RUNNABLE_DERIVERS = frozenset({"with_structured_output", "bind_tools", "bind", "with_retry", "with_config",
                                "with_fallbacks"})


def _sdk(kind: str, methods: frozenset[str], asynchronous: bool) -> ClientSpec:
    return ClientSpec(
        kind=kind, call_kind=CallKind.LLM, methods=methods, asynchronous=always if asynchronous else never,
        default=_SDK_DEFAULT, classify=httpx_timeout, derivers=frozenset({"with_options", "copy"}),
        retries_keyword="max_retries", default_retries=2,
    )


def _chat_model(kind: str, keywords: tuple[str, ...], label: str) -> ClientSpec:
    return ClientSpec(
        kind=kind, call_kind=CallKind.LLM, methods=_RUNNABLE_METHODS,
        asynchronous=lambda method: method.startswith("a"),
        default=Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                      detail=f"`{label}` has no timeout by default (it passes `timeout=None` to the SDK)"),
        classify=httpx_timeout, keywords=keywords, derivers=_RUNNABLE_DERIVERS, call_keyword=None,
        retries_keyword="max_retries", default_retries=2,  # ``None`` means the SDK's 2
    )


CATALOG = Catalog(
    clients={
        "openai.OpenAI": _sdk("openai.OpenAI", _OPENAI_METHODS, False),
        "openai.AsyncOpenAI": _sdk("openai.AsyncOpenAI", _OPENAI_METHODS, True),
        "openai.AzureOpenAI": _sdk("openai.AzureOpenAI", _OPENAI_METHODS, False),
        "openai.AsyncAzureOpenAI": _sdk("openai.AsyncAzureOpenAI", _OPENAI_METHODS, True),
        "anthropic.Anthropic": _sdk("anthropic.Anthropic", _ANTHROPIC_METHODS, False),
        "anthropic.AsyncAnthropic": _sdk("anthropic.AsyncAnthropic", _ANTHROPIC_METHODS, True),
        "langchain_openai.ChatOpenAI": _chat_model("langchain_openai.ChatOpenAI", ("timeout", "request_timeout"),
                                                   "ChatOpenAI"),
        "langchain_openai.AzureChatOpenAI": _chat_model("langchain_openai.AzureChatOpenAI",
                                                        ("timeout", "request_timeout"), "AzureChatOpenAI"),
        "langchain_anthropic.ChatAnthropic": _chat_model("langchain_anthropic.ChatAnthropic",
                                                         ("timeout", "default_request_timeout"), "ChatAnthropic"),
    },
    functions={},
)
