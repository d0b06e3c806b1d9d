from collections.abc import Iterator

from pydantic import Field

from agentlint.findings import Finding, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Bound, BoundStatus, Call, CallKind, Client, Provenance
from agentlint.rule import RuleOptions
from agentlint.rules.timeouts._unbounded import TimeoutRule, primary


class LlmCallWithoutTimeout(TimeoutRule):
    """
    ## What it does
    Reports LLM clients and calls that can wait forever: an `openai`/`anthropic` client or call with
    `timeout=None` (on the constructor, on `with_options(...)`, or on `create(...)`), and LangChain's
    `ChatOpenAI`/`ChatAnthropic` constructed without `timeout=`, whose default is no timeout at all;
    also the agent frameworks' model clients that pass `timeout=None` on: AutoGen's
    `OpenAIChatCompletionClient`/`AzureOpenAIChatCompletionClient`, smolagents' `InferenceClientModel`
    and `OpenAIModel` (also through `client_kwargs`). With the `max-seconds` option, bounded timeouts above that limit (including the SDKs' 600 s
    default) are reported too.

    The client is reported once, at its constructor, with the calls that inherit the missing limit as
    related locations.

    ## Why is this bad?
    A model call that hangs (a stuck stream, a provider incident, a proxy that keeps the socket open)
    blocks the agent step and everything waiting on it. The raw SDKs give up after 600 s by default;
    LangChain's chat models hand `timeout=None` to the SDK and never give up.

    ## Example
    ```python
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model="gpt-4o-mini")

    def plan(task: str) -> str:
        return llm.invoke(task).content
    ```

    Use instead:
    ```python
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model="gpt-4o-mini", timeout=60, max_retries=2)

    def plan(task: str) -> str:
        return llm.invoke(task).content
    ```

    ## Options
    - `max-seconds` (number, default unset): also report timeouts, explicit or default, above this.

    ## Known problems
    A client passed in as a parameter, or built by a factory that takes arguments, is not resolved,
    and the rule stays quiet on it; a factory without parameters (`def make_llm(): return
    ChatOpenAI(...)`) is followed into every module that calls it. A LangChain chat model given a custom `http_client` is still reported: it
    passes `timeout=None` explicitly, which overrides the client's own timeout. A client whose every visible call is
    wrapped in `asyncio.wait_for`/`asyncio.timeout` is not reported, even if it is also handed to a
    framework elsewhere. Other providers' SDKs (Gemini, Bedrock, LiteLLM) are not yet known to the
    rule. Calls made directly in an async
    LangGraph node that the run cancels after a deadline (`add_node(..., timeout=...)`,
    `set_node_defaults(timeout=...)`, or the compiled graph's `step_timeout`) are bounded; calls in
    helpers such a node calls are not followed.
    """

    code = "AGL102"
    name = "llm-call-without-timeout"
    summary = "LLM client or call that can wait forever"
    severity = Severity.ERROR

    class Options(RuleOptions):
        max_seconds: float | None = Field(default=None, gt=0)

    category = CallKind.LLM

    def client_fix(self, client: Client) -> str:
        return "Pass a finite `timeout=` (seconds) to the client"

    def call_fix(self, call: Call) -> str:
        return "Pass a finite `timeout=` (seconds)"

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        yield from super().check(graph)
        yield from self._above_maximum(graph)

    def _above_maximum(self, graph: PipelineGraph) -> Iterator[Finding]:
        limit = self.options.max_seconds
        if limit is None:
            return
        for client in graph.clients:
            bound = client.timeout
            if client.category is not CallKind.LLM or not _above(bound, limit):
                continue
            users = graph.calls_through(client)
            if not users or any(call.timeout.provenance is Provenance.INHERITED for call in users):
                yield self.finding(
                    primary(bound, client.location),
                    f"`{client.kind}` client `{client.id}` waits up to {bound.value:g} s ({bound.detail}), "
                    f"above the configured maximum of {limit:g} s",
                    fix_title=f"Pass `timeout=` of at most {limit:g} seconds",
                    anchor=f"{client.id}:max-seconds",
                )
        for call in graph.calls(CallKind.LLM):
            if call.timeout.provenance is Provenance.EXPLICIT and _above(call.timeout, limit):
                yield self.finding(
                    primary(call.timeout, call.location),
                    f"`{call.target}` waits up to {call.timeout.value:g} s, above the configured maximum of {limit:g} s",
                    fix_title=f"Pass `timeout=` of at most {limit:g} seconds",
                    anchor=f"{call.id}:max-seconds",
                )


def _above(bound: Bound, limit: float) -> bool:
    return bound.status is BoundStatus.BOUNDED and bound.value is not None and bound.value > limit
