from collections.abc import Iterator

from pydantic import Field

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import BoundStatus, Call, Client, Retry
from agentlint.rule import GraphRule, RuleOptions


class RetryAmplification(GraphRule):
    """
    ## What it does
    Reports a tenacity or backoff retry, or a LangGraph node's `RetryPolicy`, around a function whose
    model or HTTP calls go through a client that retries on its own (the openai and anthropic SDKs,
    and LangChain's chat models built on them, retry twice by default), when the attempts multiply
    past `max-attempts`: five tenacity attempts around an SDK call are fifteen requests.

    ## Why is this bad?
    Each layer looks modest on its own; together they turn one failing request into a burst. Against a
    rate-limited or overloaded provider the burst makes things worse, costs multiply, and the time
    before the pipeline gives up multiplies with them (each SDK attempt may wait out its timeout).

    ## Example
    ```python
    from openai import OpenAI
    from tenacity import retry, stop_after_attempt, wait_exponential

    client = OpenAI(timeout=60)


    @retry(stop=stop_after_attempt(5), wait=wait_exponential(max=30))
    def plan(task: str) -> str:
        return client.responses.create(model="gpt-4o-mini", input=task).output_text
    ```

    Use instead:
    ```python
    from openai import OpenAI
    from tenacity import retry, stop_after_attempt, wait_exponential

    client = OpenAI(timeout=60, max_retries=0)


    @retry(stop=stop_after_attempt(5), wait=wait_exponential(max=30))
    def plan(task: str) -> str:
        return client.responses.create(model="gpt-4o-mini", input=task).output_text
    ```

    ## Options
    - `max-attempts` (integer, default 10): the most requests one call may turn into.

    ## Known problems
    Only attempt counts are multiplied (`stop_after_attempt`, backoff's `max_tries`); a stop by time
    alone is not counted. Calls are looked for in the retried function itself, not in functions it calls.
    A `RetryPolicy` given as a list of policies, or from a variable agentlint cannot read, is not
    counted; CrewAI's `max_retry_limit` is not included yet.
    """

    code = "AGL305"
    name = "retry-amplification"
    summary = "nested retries that multiply one call into many requests"
    severity = Severity.WARNING

    class Options(RuleOptions):
        max_attempts: int = Field(default=10, ge=1)

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        clients = {client.id: client for client in graph.clients}
        calls_by_function: dict[str, list[Call]] = {}
        for call in graph.calls():
            calls_by_function.setdefault(call.scope.replace(":", "."), []).append(call)
        retry: Retry
        for retry in graph.facts_of("retries"):
            attempts = retry.stop.value
            if retry.target is None or retry.stop.status is not BoundStatus.BOUNDED or attempts is None:
                continue
            worst = self._worst(calls_by_function.get(retry.target, []), clients)
            if worst is None:
                continue
            call, client = worst
            total = int(attempts * ((client.retries or 0) + 1))
            if total <= self.options.max_attempts:
                continue
            yield self.finding(
                retry.location,
                f"`{retry.mechanism}` makes up to {attempts:g} attempts at `{retry.target.rsplit('.', 1)[-1]}`, and "
                f"each `{call.target}` retries {client.retries:g} more times itself: up to {total} requests "
                f"per call (more than {self.options.max_attempts})",
                related=[RelatedLocation(location=client.location, message=f"`{client.id}` retries {client.retries:g} times"),
                         RelatedLocation(location=call.location, message=f"`{call.target}` is retried")],
                fix_title="Turn one layer off: `max_retries=0` on the client, or fewer attempts in the retry",
                anchor=f"{retry.id}:amplification",
            )

    @staticmethod
    def _worst(calls: list[Call], clients: dict[str, Client]) -> tuple[Call, Client] | None:
        candidates = [(call, clients[call.client]) for call in calls
                      if call.client in clients and (clients[call.client].retries or 0) > 0]
        return max(candidates, key=lambda pair: pair[1].retries or 0, default=None)
